from django.urls import path

from acorn.children import views

app_name = "children"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new", views.child_new, name="new"),
    path("<str:child_id>/", views.child_detail, name="detail"),
    path("<str:child_id>/edit", views.child_edit, name="edit"),
    path("<str:child_id>/parents/invite", views.parent_invite, name="parent_invite"),
]
