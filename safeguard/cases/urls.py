from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.open_case, name="open"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/act/", views.case_act, name="act"),
    path("operations/", views.operation_list, name="operations"),
    path("operations/<int:pk>/", views.operation_detail, name="operation"),
]
