from django.urls import path

from acorn.org import views

app_name = "org"
urlpatterns = [
    path("staff/", views.staff_list, name="staff"),
    path("staff/<uuid:membership_id>/role", views.staff_role, name="staff_role"),
    path("switch-setting/", views.switch_setting, name="switch_setting"),
]
