from django.urls import path

from acorn.children import consent_views, views

app_name = "children"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new", views.child_new, name="new"),
    path("consents", consent_views.consent_register, name="consent_register"),
    path("wording", consent_views.wording_edit, name="wording"),
    path("my-consents", consent_views.my_consents, name="my_consents"),
    path("welcome", consent_views.welcome, name="welcome"),
    path("<str:child_id>/", views.child_detail, name="detail"),
    path("<str:child_id>/edit", views.child_edit, name="edit"),
    path("<str:child_id>/photo", views.child_photo, name="photo"),
    path("<str:child_id>/parents/invite", views.parent_invite, name="parent_invite"),
]
