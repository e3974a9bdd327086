"""Pages of the oncall app. The iCal feeds live under /ical/, the one public prefix they add."""

from django.urls import path

from . import ical, views

urlpatterns = [
    path("ical/<str:token>.ics", ical.feed_view, name="oncall-ical"),
    path("oncall/", views.oncall_now, name="oncall-now"),
    path("schedules/", views.schedule_list, name="oncall-schedules"),
    path("schedules/<id:pk>/", views.schedule_detail, name="oncall-schedule"),
    path("schedules/<id:pk>/settings/", views.schedule_settings, name="oncall-schedule-settings"),
    path("schedules/<id:pk>/delete/", views.schedule_delete, name="oncall-schedule-delete"),
    path("schedules/<id:pk>/feed/", views.schedule_feed, name="oncall-schedule-feed"),
    path("schedules/<id:pk>/overrides/", views.override_add, name="oncall-override-add"),
    path(
        "schedules/<id:pk>/overrides/<id:override_id>/delete/",
        views.override_delete,
        name="oncall-override-delete",
    ),
    path("schedules/<id:pk>/layers/new/", views.layer_new, name="oncall-layer-new"),
    path("schedules/<id:pk>/layers/validate/", views.layer_validate, name="oncall-layer-validate"),
    path(
        "schedules/<id:pk>/layers/<id:layer_id>/edit/",
        views.layer_edit,
        name="oncall-layer-edit",
    ),
    path(
        "schedules/<id:pk>/layers/<id:layer_id>/delete/",
        views.layer_delete,
        name="oncall-layer-delete",
    ),
    path("schedules/<id:pk>/follow-the-sun/", views.follow_the_sun, name="oncall-follow-the-sun"),
    path(
        "schedules/<id:pk>/follow-the-sun/preview/",
        views.follow_the_sun_preview,
        name="oncall-follow-the-sun-preview",
    ),
    path("schedules/<id:pk>/swaps/", views.swaps, name="oncall-swaps"),
    path("schedules/<id:pk>/swaps/<id:swap_id>/", views.swap_detail, name="oncall-swap"),
    path(
        "schedules/<id:pk>/swaps/<id:swap_id>/<str:action>/",
        views.swap_action,
        name="oncall-swap-action",
    ),
    path("me/shifts/", views.my_shifts, name="oncall-my-shifts"),
    path("me/shifts/feed/", views.my_feed, name="oncall-my-feed"),
    path("me/shifts/notice/", views.my_notice, name="oncall-my-notice"),
]
