from django.urls import path

from . import account_views, lockout_views, views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-in/code/", views.verify, name="verify"),
    path("sign-in/set-up-authenticator/", views.enrol, name="enrol"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("users/", views.users, name="users"),
    path("users/new/", views.new_user, name="new_user"),
    path("users/<int:user_id>/reset-sign-in/", views.reset_sign_in, name="reset_sign_in"),
    path("locked/", lockout_views.locked, name="locked"),
    path("locked/unlock/", lockout_views.unlock, name="unlock"),
    # Your account, password change and the two-person rule (ADR 0102).
    path("", account_views.your_account, name="your_account"),
    path("password/", account_views.change_password, name="change_password"),
    path("requests/", account_views.account_requests, name="account_requests"),
    path("requests/<int:request_id>/decide/", account_views.decide_request, name="decide_request"),
    path("users/<int:user_id>/role/", account_views.change_role, name="change_role"),
]
