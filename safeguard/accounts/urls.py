from django.urls import path

from . import lockout_views, views

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
]
