from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

from . import views
from .feeds import WantedFeed

app_name = "wanted"

urlpatterns = [
    path("", views.wanted_list, name="list"),
    path(
        "feed.atom",
        cache_control(public=True, max_age=views.PUBLIC_MAX_AGE)(
            condition(etag_func=views._list_etag, last_modified_func=views._list_last_modified)(WantedFeed())
        ),
        name="feed",
    ),
    path("alerts/", views.subscribe, name="subscribe"),
    path("alerts/check-your-email/", views.check_email, name="check_email"),
    path("alerts/confirm/<str:token>/", views.confirm, name="confirm"),
    path("alerts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:public_id>/", views.person, name="person"),
    path("<slug:public_id>/photo.png", views.photo, name="photo"),
    path("<slug:public_id>/sighting/", views.sighting, name="sighting"),
    path("<slug:public_id>/sighting/sent/", views.sighting_sent, name="sighting_sent"),
]
