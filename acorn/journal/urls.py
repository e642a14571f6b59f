from django.urls import path

from acorn.journal import views

app_name = "journal"
urlpatterns = [
    path("children/<str:child_id>/journal", views.child_journal, name="child"),
    path("observations/new", views.observation_new, name="new"),
    path("observations/drafts", views.drafts, name="drafts"),
    path("observations/<str:observation_id>/", views.observation_detail, name="observation"),
    path("observations/<str:observation_id>/publish", views.observation_publish, name="publish"),
]
