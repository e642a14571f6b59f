from django.urls import path

from acorn.suitability import views

app_name = "suitability"
urlpatterns = [
    path("staff/<uuid:person_id>/suitability", views.person_register, name="person"),
    path("account/declarations/", views.my_declarations, name="declarations"),
]
