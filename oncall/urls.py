"""Pages of the oncall app. The iCal feeds live under /ical/, the one public prefix they add."""

from django.urls import path

from . import ical

urlpatterns = [
    path("ical/<str:token>.ics", ical.feed_view, name="oncall-ical"),
]
