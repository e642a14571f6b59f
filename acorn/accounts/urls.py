from django.urls import path

from acorn.accounts import views

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("account/two-step/", views.two_step_setup, name="two_step_setup"),
    path(
        "account/two-step/recovery-codes.txt",
        views.recovery_codes_download,
        name="recovery_codes_download",
    ),
    path("confirm-it-is-you/", views.confirm_it_is_you, name="confirm_it_is_you"),
    path("sign-out/", views.sign_out, name="logout"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("account/", views.account, name="account"),
    path("invite/<str:token>", views.invitation_accept, name="invitation_accept"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
]
