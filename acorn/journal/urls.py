from django.urls import path

from acorn.journal import face_views, views

app_name = "journal"
urlpatterns = [
    path("children/<str:child_id>/journal", views.child_journal, name="child"),
    path("children/<str:child_id>/photos", views.child_gallery, name="gallery"),
    path("children/<str:child_id>/contribute", views.contribution_new, name="contribute"),
    path("observations/new", views.observation_new, name="new"),
    path("observations/drafts", views.drafts, name="drafts"),
    path("observations/unsent", views.capture_draft_save, name="unsent_save"),
    path(
        "observations/unsent/<str:draft_id>/discard",
        views.capture_draft_discard,
        name="unsent_discard",
    ),
    path("observations/waiting", views.pending, name="pending"),
    path("observations/feedback", views.my_feedback, name="feedback"),
    path("observations/<str:observation_id>/", views.observation_detail, name="observation"),
    path("observations/<str:observation_id>/edit", views.observation_edit, name="edit"),
    path("observations/<str:observation_id>/history", views.observation_history, name="history"),
    path("observations/<str:observation_id>/delete", views.observation_delete, name="delete"),
    path("observations/<str:observation_id>/publish", views.observation_publish, name="publish"),
    path("observations/<str:observation_id>/decide", views.contribution_decide, name="decide"),
    path("observations/<str:observation_id>/replies", views.comment_add, name="comment"),
    path("observations/<str:observation_id>/review", views.review_submit, name="review_submit"),
    path(
        "observations/<str:observation_id>/discussed",
        views.agenda_discussed,
        name="agenda_discussed",
    ),
    path("review/", views.review_list, name="review"),
    path("review/agenda", views.agenda, name="agenda"),
    path("media/upload", views.media_upload, name="media_upload"),
    path("media/<str:media_id>/", views.media_page, name="media_page"),
    path("media/<str:media_id>/status", views.media_status, name="media_status"),
    path("media/<str:media_id>/appears", views.media_appearances, name="media_appears"),
    path("media/<str:media_id>/faces", face_views.media_faces, name="media_faces"),
    path("media/<str:media_id>/<str:rendition>", views.media_content, name="media"),
    path("account/notifications", views.notification_settings, name="notifications"),
]
