from django.urls import path

from acorn.notices import views

app_name = "notices"
urlpatterns = [
    path("notifications/", views.notice_list, name="list"),
    path("notifications/read", views.notice_read_all, name="read_all"),
    path("notifications/<str:notice_id>/", views.notice_open, name="open"),
]
