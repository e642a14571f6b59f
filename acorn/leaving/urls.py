from django.urls import path

from acorn.leaving import views

app_name = "leaving"
urlpatterns = [
    path("children/<str:child_id>/keepsake", views.keepsake_start, name="keepsake_start"),
    path("keepsakes/<str:export_id>/", views.keepsake_page, name="keepsake"),
    path("keepsakes/<str:export_id>/download", views.keepsake_download, name="keepsake_download"),
    path("children/<str:child_id>/leaving", views.leaving_edit, name="leaving"),
    path("children/<str:child_id>/leaving/cancel", views.leaving_cancel, name="leaving_cancel"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<str:transfer_id>/", views.transfer_detail, name="transfer"),
    path("transfers/<str:transfer_id>/accept", views.transfer_accept, name="transfer_accept"),
    path("transfers/<str:transfer_id>/decline", views.transfer_decline, name="transfer_decline"),
]
