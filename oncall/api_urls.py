"""/api/v1/ routes of the oncall app."""

from django.urls import path

from . import api

S = "schedules/<id:schedule_id>/"

urlpatterns = [
    path("schedules/", api.ScheduleListView.as_view(), name="api-schedules"),
    path(S, api.ScheduleDetailView.as_view(), name="api-schedule"),
    path(S + "layers/", api.LayerListView.as_view(), name="api-schedule-layers"),
    path(S + "layers/<id:layer_id>/", api.LayerDetailView.as_view(), name="api-schedule-layer"),
    path(S + "overrides/", api.OverrideListView.as_view(), name="api-schedule-overrides"),
    path(
        S + "overrides/<id:override_id>/",
        api.OverrideDetailView.as_view(),
        name="api-schedule-override",
    ),
    path(S + "oncall/", api.OncallAtView.as_view(), name="api-schedule-oncall"),
    path(S + "final/", api.FinalView.as_view(), name="api-schedule-final"),
    path(S + "swaps/", api.SwapListView.as_view(), name="api-schedule-swaps"),
    path(S + "ical/", api.ScheduleFeedView.as_view(), name="api-schedule-ical"),
    *[
        path(
            f"swaps/<id:swap_id>/{name}/",
            api.SwapActionView.as_view(action_name=name),
            name=f"api-swap-{name}",
        )
        for name in ("accept", "approve", "decline", "cancel")
    ],
    path("oncall/now/", api.OncallNowView.as_view(), name="api-oncall-now"),
    path("me/shifts/", api.MyShiftsView.as_view(), name="api-me-shifts"),
    path("me/swaps/", api.MySwapsView.as_view(), name="api-me-swaps"),
    path("me/ical/", api.MyFeedView.as_view(), name="api-me-ical"),
    path("me/oncall-preferences/", api.PreferencesView.as_view(), name="api-me-oncall-preferences"),
]
