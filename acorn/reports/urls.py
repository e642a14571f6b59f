from django.urls import path

from acorn.reports import views

app_name = "reports"
urlpatterns = [
    path("children/<str:child_id>/reports/", views.child_reports, name="child"),
    path("children/<str:child_id>/reports/new", views.report_new, name="new"),
    path("reports/<str:report_id>/", views.report_detail, name="detail"),
    path("reports/<str:report_id>/submit", views.report_submit, name="submit"),
    path("reports/<str:report_id>/review", views.report_review, name="review"),
    path("reports/<str:report_id>/share", views.report_share, name="share"),
    path("reports/<str:report_id>/revise", views.report_revise, name="revise"),
    path("reports/<str:report_id>/comment", views.report_comment, name="comment"),
    path("reports/<str:report_id>/pdf", views.report_pdf, name="pdf"),
]
