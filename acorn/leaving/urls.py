from django.urls import path

from acorn.leaving import views

app_name = "leaving"
urlpatterns = [
    path("children/<str:child_id>/keepsake", views.keepsake_start, name="keepsake_start"),
    path("keepsakes/<str:export_id>/", views.keepsake_page, name="keepsake"),
    path("keepsakes/<str:export_id>/download", views.keepsake_download, name="keepsake_download"),
]
