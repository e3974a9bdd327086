"""Pages of the oncall app. The iCal feeds live under /ical/, the one public prefix they add."""

from django.urls import path

from . import ical
from .views import layers, mine, now, overrides, schedules, swaps

urlpatterns = [
    path("ical/<str:token>.ics", ical.feed_view, name="oncall-ical"),
    path("oncall/", now.oncall_now, name="oncall-now"),
    path("schedules/", schedules.schedule_list, name="oncall-schedules"),
    path("schedules/<id:pk>/", schedules.schedule_detail, name="oncall-schedule"),
    path(
        "schedules/<id:pk>/settings/", schedules.schedule_settings, name="oncall-schedule-settings"
    ),
    path("schedules/<id:pk>/delete/", schedules.schedule_delete, name="oncall-schedule-delete"),
    path("schedules/<id:pk>/feed/", schedules.schedule_feed, name="oncall-schedule-feed"),
    path("schedules/<id:pk>/overrides/", overrides.override_add, name="oncall-override-add"),
    path(
        "schedules/<id:pk>/overrides/<id:override_id>/delete/",
        overrides.override_delete,
        name="oncall-override-delete",
    ),
    path("schedules/<id:pk>/layers/new/", layers.layer_new, name="oncall-layer-new"),
    path("schedules/<id:pk>/layers/validate/", layers.layer_validate, name="oncall-layer-validate"),
    path(
        "schedules/<id:pk>/layers/<id:layer_id>/edit/",
        layers.layer_edit,
        name="oncall-layer-edit",
    ),
    path(
        "schedules/<id:pk>/layers/<id:layer_id>/delete/",
        layers.layer_delete,
        name="oncall-layer-delete",
    ),
    path("schedules/<id:pk>/follow-the-sun/", layers.follow_the_sun, name="oncall-follow-the-sun"),
    path(
        "schedules/<id:pk>/follow-the-sun/preview/",
        layers.follow_the_sun_preview,
        name="oncall-follow-the-sun-preview",
    ),
    path("schedules/<id:pk>/swaps/", swaps.swaps, name="oncall-swaps"),
    path("schedules/<id:pk>/swaps/<id:swap_id>/", swaps.swap_detail, name="oncall-swap"),
    path(
        "schedules/<id:pk>/swaps/<id:swap_id>/<str:action>/",
        swaps.swap_action,
        name="oncall-swap-action",
    ),
    path("me/shifts/", mine.my_shifts, name="oncall-my-shifts"),
    path("me/shifts/feed/", mine.my_feed, name="oncall-my-feed"),
    path("me/shifts/notice/", mine.my_notice, name="oncall-my-notice"),
]
