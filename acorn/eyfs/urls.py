from django.urls import path

from acorn.eyfs import views

app_name = "eyfs"
urlpatterns = [
    path("terms/", views.terms, name="terms"),
    path("terms/<str:term_id>/delete", views.term_delete, name="term_delete"),
    path("assessment/", views.assessment_grid, name="grid"),
    path("monitoring/", views.monitoring, name="monitoring"),
]
