from django.urls import path

from . import views

app_name = "dissemination"

urlpatterns = [
    path("", views.list, name="list"),
    path("new/", views.new, name="new"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/text/", views.edit_text, name="edit_text"),
    path("<str:reference>/items/", views.add_item, name="add_item"),
    path("<str:reference>/items/<int:item_id>/sanitise/", views.sanitise_item, name="sanitise_item"),
    path("<str:reference>/items/<int:item_id>/remove/", views.remove_item, name="remove_item"),
    path("<str:reference>/identifiers/<int:index>/remove/", views.remove_identifier, name="remove_identifier"),
    path("<str:reference>/routing/", views.routing, name="routing"),
    path("<str:reference>/approve/", views.approve, name="approve"),
    path("<str:reference>/send/", views.send, name="send"),
    path("<str:reference>/outcomes/", views.add_outcome, name="add_outcome"),
    path("<str:reference>/package.pdf", views.download_pdf, name="pdf"),
    path("<str:reference>/package.json", views.download_json, name="json"),
]
