from django.urls import path

from acorn.devices import views

app_name = "devices"
urlpatterns = [
    path("devices/", views.register, name="register"),
    path("devices/sheet/", views.sheet, name="sheet"),
    path("devices/take/", views.take, name="take"),
    path("devices/<uuid:device_id>/", views.device_detail, name="detail"),
    path("devices/<uuid:device_id>/enrol", views.enrol, name="enrol"),
    path("devices/<uuid:device_id>/missing", views.missing, name="missing"),
    path("devices/<uuid:device_id>/retire", views.retire, name="retire"),
    path("signouts/<uuid:signout_id>/authorise", views.authorise, name="authorise"),
    path("signouts/<uuid:signout_id>/return", views.record_return, name="return"),
]
