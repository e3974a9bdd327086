from django.urls import path

from . import views, views_import

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("people/import/", views_import.people_import, name="people-import"),
]
