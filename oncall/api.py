"""REST API for on-call: schedules, layers, overrides, the final answer, swaps, feeds.

Thin: a strict input serializer (oncall/serializers.py) checks the shape and JSON types of a
body or query string, then one service writes (validating every value and raising
ValidationError {field: message}, which the exception handler turns into a 400) or one
selector reads. Every answer is rendered by an output serializer, the same one its
@extend_schema documents, so the schema cannot drift from the JSON. Instants in responses are
UTC ISO-8601 ending in "Z".

Visibility: a schedule the caller may not read answers 404 (no IDOR); one they may read but
not change answers 403 to a write. `GET /api/v1/oncall/now/` lists every schedule to everyone
signed in. Token scope area: "schedules".
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import paged, valid, valid_in_team
from core.audit import Actor
from core.pagination import ByIdCursorPagination
from core.permissions import require

from . import selectors, services
from . import serializers as s
from .ical import feed_url
from .models import Layer, OncallPreferences, Schedule, SwapRequest


def _not_found() -> NotFound:
    return NotFound("No such schedule.")


def _schedule_for(request, schedule_id: int) -> Schedule:
    schedule = get_object_or_404(Schedule.objects.select_related("team"), pk=schedule_id)
    if not request.user.has_perm("oncall.view_schedule", schedule):
        # Not yours to see: answer as if it did not exist.
        raise _not_found()
    return schedule


class OncallView(APIView):
    scope_area = "schedules"


# --- schedules --------------------------------------------------------------------------------


class ScheduleListView(OncallView):
    pagination_class = ByIdCursorPagination  # drf-spectacular documents the page from it

    @extend_schema(
        summary="Schedules you may read",
        responses=s.ScheduleSerializer(many=True),
        operation_id="schedules_list",
    )
    def get(self, request):
        return paged(self, selectors.visible_schedules(request.user), s.ScheduleSerializer)

    @extend_schema(
        summary="Create a schedule",
        request=s.ScheduleCreateSerializer,
        responses={201: s.ScheduleSerializer},
    )
    def post(self, request):
        data = valid_in_team(s.ScheduleCreateSerializer, request, "oncall.add_schedule")
        schedule = services.schedule_create(actor=Actor.from_request(request), **data)
        return Response(s.ScheduleSerializer(schedule).data, status=status.HTTP_201_CREATED)


class ScheduleDetailView(OncallView):
    @extend_schema(summary="A schedule", responses=s.ScheduleSerializer)
    def get(self, request, schedule_id: int):
        return Response(s.ScheduleSerializer(_schedule_for(request, schedule_id)).data)

    @extend_schema(
        summary="Rename, change zone or swap approval",
        request=s.ScheduleUpdateSerializer,
        responses=s.ScheduleSerializer,
    )
    def patch(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        require(request.user, "oncall.change_schedule", schedule)
        data = valid(s.ScheduleUpdateSerializer, request.data)
        schedule = services.schedule_update(
            actor=Actor.from_request(request), schedule=schedule, **data
        )
        return Response(s.ScheduleSerializer(schedule).data)

    @extend_schema(summary="Delete a schedule", responses={204: None})
    def delete(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        require(request.user, "oncall.delete_schedule", schedule)
        services.schedule_delete(actor=Actor.from_request(request), schedule=schedule)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- layers -----------------------------------------------------------------------------------


def _layers(schedule: Schedule):
    return schedule.layers.prefetch_related("versions").order_by("id")


class LayerListView(OncallView):
    @extend_schema(
        summary="Layers of a schedule, with their history",
        responses=s.LayerListSerializer,
        operation_id="schedule_layers_list",
    )
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        return Response(s.LayerListSerializer({"results": _layers(schedule)}).data)

    @extend_schema(
        summary="Add a layer", request=s.LayerCreateSerializer, responses={201: s.LayerSerializer}
    )
    def post(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        require(request.user, "oncall.change_schedule", schedule)
        data = valid(s.LayerCreateSerializer, request.data)
        layer = services.layer_create(actor=Actor.from_request(request), schedule=schedule, **data)
        layer = _layers(schedule).get(pk=layer.pk)
        return Response(s.LayerSerializer(layer).data, status=status.HTTP_201_CREATED)


class LayerDetailView(OncallView):
    def _layer(self, request, schedule_id: int, layer_id: int) -> tuple[Schedule, Layer]:
        schedule = _schedule_for(request, schedule_id)
        return schedule, get_object_or_404(_layers(schedule), pk=layer_id)

    @extend_schema(summary="A layer with its history", responses=s.LayerSerializer)
    def get(self, request, schedule_id: int, layer_id: int):
        return Response(s.LayerSerializer(self._layer(request, schedule_id, layer_id)[1]).data)

    @extend_schema(
        summary="Change a layer from effective_from on (the past stays)",
        request=s.LayerUpdateSerializer,
        responses=s.LayerSerializer,
    )
    def patch(self, request, schedule_id: int, layer_id: int):
        schedule, layer = self._layer(request, schedule_id, layer_id)
        require(request.user, "oncall.change_schedule", schedule)
        data = valid(s.LayerUpdateSerializer, request.data, partial=True)
        services.layer_update(actor=Actor.from_request(request), layer=layer, **data)
        return Response(s.LayerSerializer(_layers(schedule).get(pk=layer.pk)).data)

    @extend_schema(
        summary="End a layer from effective_from on (default now)",
        parameters=[s.EffectiveQuerySerializer],
        responses={204: None},
    )
    def delete(self, request, schedule_id: int, layer_id: int):
        schedule, layer = self._layer(request, schedule_id, layer_id)
        require(request.user, "oncall.change_schedule", schedule)
        query = valid(s.EffectiveQuerySerializer, request.query_params)
        services.layer_delete(actor=Actor.from_request(request), layer=layer, **query)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- overrides --------------------------------------------------------------------------------


class OverrideListView(OncallView):
    @extend_schema(
        summary="Overrides meeting [start, end) (default: from now on)",
        parameters=[s.OverrideQuerySerializer],
        responses=s.OverrideListSerializer,
        operation_id="schedule_overrides_list",
    )
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        query = valid(s.OverrideQuerySerializer, request.query_params)
        overrides = schedule.overrides.order_by("start", "id").filter(
            end__gt=query.get("start") or timezone.now()
        )
        if query.get("end"):
            overrides = overrides.filter(start__lt=query["end"])
        return Response(s.OverrideListSerializer({"results": overrides[:500]}).data)

    @extend_schema(
        summary="Add an override",
        request=s.OverrideCreateSerializer,
        responses={201: s.OverrideSerializer},
    )
    def post(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        # Unknown keys before the permission, which depends on whose override it is; the
        # other checks after it.
        body = s.OverrideCreateSerializer.known_keys(request.data)
        if body.get("person") == request.user.pk:
            require(request.user, "oncall.add_own_override", schedule)
        else:
            require(request.user, "oncall.change_schedule", schedule)
        data = valid(s.OverrideCreateSerializer, body)
        override = services.override_create(
            actor=Actor.from_request(request), schedule=schedule, **data
        )
        return Response(s.OverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class OverrideDetailView(OncallView):
    @extend_schema(summary="An override", responses=s.OverrideSerializer)
    def get(self, request, schedule_id: int, override_id: int):
        schedule = _schedule_for(request, schedule_id)
        override = get_object_or_404(schedule.overrides, pk=override_id)
        return Response(s.OverrideSerializer(override).data)

    @extend_schema(summary="Remove an override", responses={204: None})
    def delete(self, request, schedule_id: int, override_id: int):
        schedule = _schedule_for(request, schedule_id)
        override = get_object_or_404(schedule.overrides.select_related("schedule"), pk=override_id)
        require(request.user, "oncall.delete_override", override)
        services.override_delete(actor=Actor.from_request(request), override=override)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the final answer -------------------------------------------------------------------------


class OncallAtView(OncallView):
    @extend_schema(
        summary="Who is on call at an instant",
        parameters=[s.AtQuerySerializer],
        responses=s.OncallAtSerializer,
    )
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        query = valid(s.AtQuerySerializer, request.query_params)
        return Response(s.OncallAtSerializer(selectors.oncall_at(schedule, query["at"])).data)


class FinalView(OncallView):
    @extend_schema(
        summary="Final segments tiling [start, end) (at most 92 days)",
        parameters=[s.RangeQuerySerializer],
        responses=s.FinalSegmentsSerializer,
    )
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        query = valid(s.RangeQuerySerializer, request.query_params)
        segments = selectors.schedule_final_segments(schedule, query["start"], query["end"])
        return Response(s.FinalSegmentsSerializer({"segments": segments}).data)


class OncallNowView(OncallView):
    @extend_schema(
        summary="Who is on call now on every schedule (org-wide)",
        responses=s.OncallNowSerializer,
    )
    def get(self, request):
        require(request.user, "oncall.view_oncall_now")
        now = timezone.now()
        rows = selectors.oncall_now(request.user, at=now)
        return Response(s.oncall_now_data(now, rows))


class MyShiftsView(OncallView):
    @extend_schema(
        summary="My final shifts over [start, end) (at most 92 days)",
        parameters=[s.RangeQuerySerializer],
        responses=s.MyShiftListSerializer,
    )
    def get(self, request):
        query = valid(s.RangeQuerySerializer, request.query_params)
        shifts = selectors.my_shifts(request.user, query["start"], query["end"])
        return Response(s.MyShiftListSerializer({"results": shifts}).data)


class PreferencesView(OncallView):
    @extend_schema(summary="My on-call preferences", responses=s.OncallPreferencesSerializer)
    def get(self, request):
        prefs = OncallPreferences.objects.filter(user=request.user).first() or OncallPreferences()
        return Response(s.OncallPreferencesSerializer(prefs).data)

    @extend_schema(
        summary="Change my shift notice lead time",
        request=s.OncallPreferencesUpdateSerializer,
        responses=s.OncallPreferencesSerializer,
    )
    def patch(self, request):
        data = valid(s.OncallPreferencesUpdateSerializer, request.data)
        prefs = services.preferences_update(
            actor=Actor.from_request(request), user=request.user, **data
        )
        return Response(s.OncallPreferencesSerializer(prefs).data)


# --- swaps ------------------------------------------------------------------------------------


class SwapListView(OncallView):
    @extend_schema(summary="Swap requests of a schedule", responses=s.SwapListSerializer)
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        swaps = selectors.schedule_swaps(schedules=[schedule])[:500]
        return Response(s.SwapListSerializer({"results": swaps}).data)

    @extend_schema(
        summary="Give away a span of my shifts",
        request=s.SwapCreateSerializer,
        responses={201: s.SwapSerializer},
    )
    def post(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        require(request.user, "oncall.request_swap", schedule)
        data = valid(s.SwapCreateSerializer, request.data)
        swap = services.swap_request_create(
            actor=Actor.from_request(request),
            schedule=schedule,
            start=data["start"],
            end=data["end"],
            asked=data.get("asked"),
            note=data.get("note") or "",
        )
        return Response(s.SwapSerializer(swap).data, status=status.HTTP_201_CREATED)


class SwapActionView(OncallView):
    """POST /api/v1/swaps/{id}/{accept|approve|decline|cancel}/"""

    action_name = ""

    @extend_schema(summary="Act on a swap request", request=None, responses=s.SwapSerializer)
    def post(self, request, swap_id: int):
        swap = get_object_or_404(SwapRequest.objects.select_related("schedule__team"), pk=swap_id)
        if not request.user.has_perm("oncall.view_schedule", swap.schedule):
            raise _not_found()
        actor = Actor.from_request(request)
        name = self.action_name
        if name == "accept":
            require(request.user, "oncall.take_swap", swap.schedule)
            swap = services.swap_request_accept(actor=actor, swap=swap)
        elif name == "approve":
            require(request.user, "oncall.decide_swap", swap)
            swap = services.swap_request_approve(actor=actor, swap=swap)
        elif name == "decline":
            # The person asked may say no to a request addressed to them.
            if swap.asked_id != request.user.pk or swap.status != "requested":
                require(request.user, "oncall.decide_swap", swap)
            swap = services.swap_request_decline(actor=actor, swap=swap)
        else:
            require(request.user, "oncall.cancel_swap", swap)
            swap = services.swap_request_cancel(actor=actor, swap=swap)
        return Response(s.SwapSerializer(swap).data)


class MySwapsView(OncallView):
    @extend_schema(
        summary="Swap requests I asked, was asked, or took", responses=s.SwapListSerializer
    )
    def get(self, request):
        swaps = selectors.schedule_swaps(user=request.user)[:500]
        return Response(s.SwapListSerializer({"results": swaps}).data)


# --- iCal feeds -------------------------------------------------------------------------------


def _feed_created(feed, raw: str) -> Response:
    body = s.IcalFeedCreatedSerializer({"url": feed_url(raw), "token_prefix": feed.token_prefix})
    return Response(body.data, status=status.HTTP_201_CREATED)


class MyFeedView(OncallView):
    @extend_schema(
        summary="New secret URL of my shifts feed (old one revoked)",
        request=None,
        responses={201: s.IcalFeedCreatedSerializer},
    )
    def post(self, request):
        feed, raw = services.ical_token_regenerate(
            actor=Actor.from_request(request), owner=request.user
        )
        return _feed_created(feed, raw)

    @extend_schema(summary="Revoke my shifts feed", responses={204: None})
    def delete(self, request):
        services.ical_token_revoke(actor=Actor.from_request(request), owner=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleFeedView(OncallView):
    @extend_schema(
        summary="New secret URL of this schedule's feed (mine; old revoked)",
        request=None,
        responses={201: s.IcalFeedCreatedSerializer},
    )
    def post(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        feed, raw = services.ical_token_regenerate(
            actor=Actor.from_request(request), owner=request.user, schedule=schedule
        )
        return _feed_created(feed, raw)

    @extend_schema(summary="Revoke my feed of this schedule", responses={204: None})
    def delete(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        services.ical_token_revoke(
            actor=Actor.from_request(request), owner=request.user, schedule=schedule
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
