from django.urls import path

from acorn.org import views

app_name = "org"
urlpatterns = [
    path("staff/", views.staff_list, name="staff"),
    path("staff/<uuid:membership_id>/role", views.staff_role, name="staff_role"),
    path("staff/<uuid:membership_id>/two-step-reset", views.mfa_reset, name="mfa_reset"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/duty", views.duty_toggle, name="duty"),
    path("setting/", views.setting_rules, name="settings"),
    path("switch-setting/", views.switch_setting, name="switch_setting"),
]
