from django.urls import path

from . import views

app_name = "removal"

urlpatterns = [
    path("", views.start, name="start"),
    path("choose/", views.choose, name="choose"),
    path("sent/", views.sent, name="sent"),
    path("come-back/", views.come_back, name="come_back"),
    path("your-pictures/", views.your_pictures, name="your_pictures"),
    path("your-pictures/add/", views.add_more, name="add_more"),
    path("your-pictures/take-back/", views.withdraw, name="withdraw"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("someone-is-threatening-me/", views.threatened, name="threatened"),
    path("someone-is-threatening-me/sent/", views.threat_sent, name="threat_sent"),
]
