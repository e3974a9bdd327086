"""REST API for on-call: schedules, layers, overrides, the final answer, swaps, feeds.

Thin: request bodies go to the services as they came (the services validate every field and
raise ValidationError {field: message}, which the exception handler turns into a 400), reads
go through the selectors. Instants in responses are UTC ISO-8601 ending in "Z".

Visibility: a schedule the caller may not read answers 404 (no IDOR); one they may read but
not change answers 403 to a write. `GET /api/v1/oncall/now/` lists every schedule to everyone
signed in. Token scope area: "schedules".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.audit import Actor
from core.pagination import DefaultCursorPagination
from core.permissions import require

from . import selectors, services, specs
from .ical import feed_url
from .models import Layer, OncallPreferences, Override, Schedule, SwapRequest

User = get_user_model()


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _body(request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise ValidationError({"detail": "Send a JSON object."})
    return dict(data)


def _only(data: dict, allowed: set[str]) -> dict:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({name: "Unknown field; it cannot be set here." for name in unknown})
    return data


def _schedule_for(request, schedule_id: int) -> Schedule:
    schedule = get_object_or_404(Schedule.objects.select_related("team"), pk=schedule_id)
    if not request.user.has_perm("oncall.view_schedule", schedule):
        # Not yours to see: answer as if it did not exist.
        raise selectors_not_found()
    return schedule


def selectors_not_found():
    from rest_framework.exceptions import NotFound

    return NotFound("No such schedule.")


def _query_instant(request, name: str) -> datetime:
    """An instant from the query string; an unencoded "+hh:mm" offset arrives as a space."""
    value = request.query_params.get(name)
    if isinstance(value, str) and "T" in value:
        date_part, _, time_part = value.partition("T")
        value = f"{date_part}T{time_part.replace(' ', '+')}"
    return specs.clean_instant(value, name)


def _range(request, *, max_span: timedelta = selectors.MAX_RANGE) -> tuple[datetime, datetime]:
    errors = {}
    values = {}
    for name in ("start", "end"):
        try:
            values[name] = _query_instant(request, name)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if values["end"] <= values["start"]:
        raise ValidationError({"end": "The end must be after the start."})
    if values["end"] - values["start"] > max_span:
        raise ValidationError({"end": f"At most {max_span.days} days per call."})
    return values["start"], values["end"]


class OncallView(APIView):
    scope_area = "schedules"


# --- representations --------------------------------------------------------------------------


def schedule_json(schedule: Schedule) -> dict:
    return {
        "id": schedule.pk,
        "name": schedule.name,
        "team": schedule.team_id,
        "team_name": schedule.team.name,
        "time_zone": schedule.time_zone,
        "requires_lead_approval_for_swaps": schedule.requires_lead_approval_for_swaps,
        "created_at": iso(schedule.created_at),
        "updated_at": iso(schedule.updated_at),
    }


def _local_iso(local: datetime) -> str:
    """A naive wall time as sent: "2026-11-02T09:00" (seconds only when there are some)."""
    return local.isoformat(timespec="minutes" if not local.second else "seconds")


def version_json(version) -> dict:
    return {
        "effective_from": iso(version.effective_from),
        "effective_to": iso(version.effective_to),
        "priority": version.priority,
        "time_zone": version.time_zone,
        "start": _local_iso(datetime.combine(version.start_date, version.start_time)),
        "shift_length": {"count": version.shift_count, "unit": version.shift_unit},
        "participants": list(version.participants),
        "end": iso(version.end),
        "restrictions": list(version.restrictions),
        "fair": version.fair,
    }


def layer_json(layer: Layer) -> dict:
    """The layer as it is now (its latest version) plus its whole history."""
    versions = sorted(layer.versions.all(), key=lambda v: (v.effective_from, v.pk))
    current = versions[-1] if versions else None
    body = {"id": layer.pk, "schedule": layer.schedule_id, "name": layer.name}
    body.update(version_json(current) if current else {})
    body["removed_at"] = iso(layer.removed_at)
    body["history"] = [version_json(v) for v in versions]
    return body


def override_json(override: Override) -> dict:
    return {
        "id": override.pk,
        "schedule": override.schedule_id,
        "person": override.person_id,
        "start": iso(override.start),
        "end": iso(override.end),
        "created_at": iso(override.created_at),
        "created_by": override.created_by_id,
    }


def swap_json(swap: SwapRequest) -> dict:
    return {
        "id": swap.pk,
        "schedule": swap.schedule_id,
        "requester": swap.requester_id,
        "asked": swap.asked_id,
        "taker": swap.taker_id,
        "start": iso(swap.start),
        "end": iso(swap.end),
        "note": swap.note,
        "status": swap.status,
        "awaiting_approval": swap.awaiting_approval,
        "override": swap.override_id,
        "created_at": iso(swap.created_at),
    }


def segments_json(segments) -> list[dict]:
    return [{"start": iso(s.start), "end": iso(s.end), "person": s.person} for s in segments]


# Documentation-only shapes for the OpenAPI schema (the services validate the bodies).
ScheduleDoc = inline_serializer(
    "Schedule",
    {
        "id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "team": serializers.IntegerField(),
        "team_name": serializers.CharField(),
        "time_zone": serializers.CharField(),
        "requires_lead_approval_for_swaps": serializers.BooleanField(),
        "created_at": serializers.DateTimeField(),
        "updated_at": serializers.DateTimeField(),
    },
)
ScheduleCreateDoc = inline_serializer(
    "ScheduleCreateRequest",
    {
        "name": serializers.CharField(),
        "team": serializers.IntegerField(),
        "time_zone": serializers.CharField(),
        "requires_lead_approval_for_swaps": serializers.BooleanField(required=False),
    },
)
_WINDOW = inline_serializer(
    "RestrictionWindow",
    {
        "days": serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6)),
        "start": serializers.CharField(help_text="HH:MM local"),
        "end": serializers.CharField(help_text="HH:MM local; <= start means the next day"),
    },
)
_SHIFT = inline_serializer(
    "ShiftLength",
    {"count": serializers.IntegerField(min_value=1), "unit": serializers.CharField()},
)
LayerCreateDoc = inline_serializer(
    "LayerCreateRequest",
    {
        "name": serializers.CharField(),
        "priority": serializers.IntegerField(required=False),
        "time_zone": serializers.CharField(),
        "start": serializers.CharField(help_text="Local wall time without offset"),
        "shift_length": _SHIFT,
        "participants": serializers.ListField(child=serializers.IntegerField()),
        "end": serializers.DateTimeField(required=False, allow_null=True),
        "restrictions": _WINDOW.__class__(many=True, required=False),
        "fair": serializers.BooleanField(required=False),
    },
)
LayerDoc = inline_serializer(
    "Layer",
    {
        "id": serializers.IntegerField(),
        "schedule": serializers.IntegerField(),
        "name": serializers.CharField(),
        "effective_from": serializers.DateTimeField(),
        "history": serializers.ListField(child=serializers.DictField()),
    },
)
OverrideCreateDoc = inline_serializer(
    "OverrideCreateRequest",
    {
        "person": serializers.IntegerField(),
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
    },
)
OverrideDoc = inline_serializer(
    "Override",
    {
        "id": serializers.IntegerField(),
        "schedule": serializers.IntegerField(),
        "person": serializers.IntegerField(),
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
    },
)
SegmentDoc = inline_serializer(
    "Segment",
    {
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
        "person": serializers.IntegerField(allow_null=True),
    },
)
FinalDoc = inline_serializer("FinalSegments", {"segments": SegmentDoc.__class__(many=True)})
OncallAtDoc = inline_serializer(
    "OncallAt",
    {
        "person": serializers.IntegerField(allow_null=True),
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(allow_null=True),
    },
)
SwapDoc = inline_serializer(
    "SwapRequest",
    {
        "id": serializers.IntegerField(),
        "schedule": serializers.IntegerField(),
        "requester": serializers.IntegerField(),
        "taker": serializers.IntegerField(allow_null=True),
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
        "status": serializers.CharField(),
    },
)
SwapCreateDoc = inline_serializer(
    "SwapCreateRequest",
    {
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
        "asked": serializers.IntegerField(required=False, allow_null=True),
        "note": serializers.CharField(required=False),
    },
)
FeedDoc = inline_serializer(
    "IcalFeedCreated", {"url": serializers.CharField(), "token_prefix": serializers.CharField()}
)
AT = OpenApiParameter("at", OpenApiTypes.DATETIME, required=True, description="An instant.")
START = OpenApiParameter("start", OpenApiTypes.DATETIME, required=True)
END = OpenApiParameter("end", OpenApiTypes.DATETIME, required=True)
EFFECTIVE = OpenApiParameter(
    "effective_from", OpenApiTypes.DATETIME, description="Default: now; never in the past."
)


# --- schedules --------------------------------------------------------------------------------


class ScheduleListView(OncallView):
    @extend_schema(
        summary="Schedules you may read", responses=ScheduleDoc, operation_id="schedules_list"
    )
    def get(self, request):
        paginator = DefaultCursorPagination()
        paginator.ordering = "id"
        page = paginator.paginate_queryset(
            selectors.visible_schedules(request.user), request, view=self
        )
        return paginator.get_paginated_response([schedule_json(s) for s in page])

    @extend_schema(
        summary="Create a schedule", request=ScheduleCreateDoc, responses={201: ScheduleDoc}
    )
    def post(self, request):
        data = _only(
            _body(request), {"name", "team", "time_zone", "requires_lead_approval_for_swaps"}
        )
        team_id = data.get("team")
        from teams.models import Team

        team = (
            Team.objects.filter(pk=team_id).first()
            if isinstance(team_id, int) and not isinstance(team_id, bool) and 0 < team_id < 2**63
            else None
        )
        if team is None:
            raise ValidationError({"team": "Give the id of an existing team."})
        require(request.user, "oncall.add_schedule", team)
        schedule = services.schedule_create(
            actor=Actor.from_request(request),
            team=team,
            name=data.get("name"),
            time_zone=data.get("time_zone"),
            requires_lead_approval_for_swaps=data.get("requires_lead_approval_for_swaps", False),
        )
        return Response(schedule_json(schedule), status=status.HTTP_201_CREATED)


class ScheduleDetailView(OncallView):
    @extend_schema(summary="A schedule", responses=ScheduleDoc)
    def get(self, request, schedule_id: int):
        return Response(schedule_json(_schedule_for(request, schedule_id)))

    @extend_schema(
        summary="Rename, change zone or swap approval",
        request=ScheduleCreateDoc,
        responses=ScheduleDoc,
    )
    def patch(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        require(request.user, "oncall.change_schedule", schedule)
        data = _only(_body(request), {"name", "time_zone", "requires_lead_approval_for_swaps"})
        schedule = services.schedule_update(
            actor=Actor.from_request(request), schedule=schedule, **data
        )
        return Response(schedule_json(schedule))

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
        responses=LayerDoc,
        operation_id="schedule_layers_list",
    )
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        return Response({"results": [layer_json(layer) for layer in _layers(schedule)]})

    @extend_schema(summary="Add a layer", request=LayerCreateDoc, responses={201: LayerDoc})
    def post(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        require(request.user, "oncall.change_schedule", schedule)
        data = _only(_body(request), set(specs.LAYER_FIELDS))
        for required in ("name", "time_zone", "start", "shift_length", "participants"):
            data.setdefault(required, None)
        layer = services.layer_create(actor=Actor.from_request(request), schedule=schedule, **data)
        layer = _layers(schedule).get(pk=layer.pk)
        return Response(layer_json(layer), status=status.HTTP_201_CREATED)


class LayerDetailView(OncallView):
    def _layer(self, request, schedule_id: int, layer_id: int) -> tuple[Schedule, Layer]:
        schedule = _schedule_for(request, schedule_id)
        return schedule, get_object_or_404(_layers(schedule), pk=layer_id)

    @extend_schema(summary="A layer with its history", responses=LayerDoc)
    def get(self, request, schedule_id: int, layer_id: int):
        return Response(layer_json(self._layer(request, schedule_id, layer_id)[1]))

    @extend_schema(
        summary="Change a layer from effective_from on (the past stays)",
        request=LayerCreateDoc,
        responses=LayerDoc,
    )
    def patch(self, request, schedule_id: int, layer_id: int):
        schedule, layer = self._layer(request, schedule_id, layer_id)
        require(request.user, "oncall.change_schedule", schedule)
        data = _only(_body(request), {*specs.LAYER_FIELDS, "effective_from"})
        effective_from = data.pop("effective_from", None)
        services.layer_update(
            actor=Actor.from_request(request),
            layer=layer,
            effective_from=effective_from,
            **data,
        )
        return Response(layer_json(_layers(schedule).get(pk=layer.pk)))

    @extend_schema(
        summary="End a layer from effective_from on (default now)",
        parameters=[EFFECTIVE],
        responses={204: None},
    )
    def delete(self, request, schedule_id: int, layer_id: int):
        schedule, layer = self._layer(request, schedule_id, layer_id)
        require(request.user, "oncall.change_schedule", schedule)
        services.layer_delete(
            actor=Actor.from_request(request),
            layer=layer,
            effective_from=request.query_params.get("effective_from"),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- overrides --------------------------------------------------------------------------------


class OverrideListView(OncallView):
    @extend_schema(
        summary="Overrides meeting [start, end) (default: from now on)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME),
            OpenApiParameter("end", OpenApiTypes.DATETIME),
        ],
        responses=OverrideDoc,
        operation_id="schedule_overrides_list",
    )
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        qs = schedule.overrides.order_by("start", "id")
        start = request.query_params.get("start")
        end = request.query_params.get("end")
        qs = qs.filter(end__gt=specs.clean_instant(start, "start") if start else timezone.now())
        if end:
            qs = qs.filter(start__lt=specs.clean_instant(end, "end"))
        return Response({"results": [override_json(o) for o in qs[:500]]})

    @extend_schema(
        summary="Add an override", request=OverrideCreateDoc, responses={201: OverrideDoc}
    )
    def post(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        data = _only(_body(request), {"person", "start", "end"})
        person = data.get("person")
        if person == request.user.pk:
            require(request.user, "oncall.add_own_override", schedule)
        else:
            require(request.user, "oncall.change_schedule", schedule)
        override = services.override_create(
            actor=Actor.from_request(request),
            schedule=schedule,
            person=person,
            start=data.get("start"),
            end=data.get("end"),
        )
        return Response(override_json(override), status=status.HTTP_201_CREATED)


class OverrideDetailView(OncallView):
    @extend_schema(summary="An override", responses=OverrideDoc)
    def get(self, request, schedule_id: int, override_id: int):
        schedule = _schedule_for(request, schedule_id)
        return Response(override_json(get_object_or_404(schedule.overrides, pk=override_id)))

    @extend_schema(summary="Remove an override", responses={204: None})
    def delete(self, request, schedule_id: int, override_id: int):
        schedule = _schedule_for(request, schedule_id)
        override = get_object_or_404(schedule.overrides.select_related("schedule"), pk=override_id)
        require(request.user, "oncall.delete_override", override)
        services.override_delete(actor=Actor.from_request(request), override=override)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the final answer -------------------------------------------------------------------------


class OncallAtView(OncallView):
    @extend_schema(summary="Who is on call at an instant", parameters=[AT], responses=OncallAtDoc)
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        at = _query_instant(request, "at")
        answer = selectors.oncall_at(schedule, at)
        return Response(
            {"person": answer.person, "start": iso(answer.start), "end": iso(answer.end)}
        )


class FinalView(OncallView):
    @extend_schema(
        summary="Final segments tiling [start, end) (at most 92 days)",
        parameters=[START, END],
        responses=FinalDoc,
    )
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        start, end = _range(request)
        segments = selectors.schedule_final_segments(schedule, start, end)
        return Response({"segments": segments_json(segments)})


NowDoc = inline_serializer(
    "OncallNow",
    {
        "at": serializers.DateTimeField(),
        "results": inline_serializer(
            "OncallNowRow",
            {
                "schedule": serializers.IntegerField(),
                "schedule_name": serializers.CharField(),
                "team": serializers.IntegerField(),
                "team_name": serializers.CharField(),
                "person": serializers.IntegerField(allow_null=True),
                "display_name": serializers.CharField(allow_null=True),
                "until": serializers.DateTimeField(allow_null=True),
                "time_zone": serializers.CharField(allow_null=True),
                "local_time": serializers.CharField(allow_null=True),
            },
        ).__class__(many=True),
    },
)


def _minutes(local: datetime) -> str:
    return local.isoformat(timespec="minutes")


class OncallNowView(OncallView):
    @extend_schema(summary="Who is on call now on every schedule (org-wide)", responses=NowDoc)
    def get(self, request):
        require(request.user, "oncall.view_oncall_now")
        now = timezone.now()
        rows = selectors.oncall_now(request.user, at=now)
        memo: dict = {}

        def fmt(value, how):
            if value is None:
                return None
            # Aware datetimes compare by instant: the offset is part of the key.
            key = (how, value, value.utcoffset())
            if key not in memo:
                memo[key] = how(value)
            return memo[key]

        return Response(
            {
                "at": iso(now),
                "results": [
                    {
                        # Formatted once per zone/instant: 300 rows, few distinct values.
                        "schedule": row.schedule_id,
                        "schedule_name": row.schedule_name,
                        "team": row.team_id,
                        "team_name": row.team_name,
                        "person": row.person_id,
                        "display_name": row.display_name,
                        "until": iso(row.until),
                        "time_zone": row.time_zone,
                        "local_time": (
                            row.local_time.isoformat(timespec="minutes") if row.local_time else None
                        ),
                    }
                    for row in rows
                ],
            }
        )


MyShiftDoc = inline_serializer(
    "MyShift",
    {
        "schedule": serializers.IntegerField(),
        "schedule_name": serializers.CharField(),
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
    },
)


class MyShiftsView(OncallView):
    @extend_schema(
        summary="My final shifts over [start, end) (at most 92 days)",
        parameters=[START, END],
        responses=MyShiftDoc,
    )
    def get(self, request):
        start, end = _range(request)
        shifts = selectors.my_shifts(request.user, start, end)
        return Response(
            {
                "results": [
                    {
                        "schedule": s.schedule.pk,
                        "schedule_name": s.schedule.name,
                        "start": iso(s.start),
                        "end": iso(s.end),
                    }
                    for s in shifts
                ]
            }
        )


class PreferencesView(OncallView):
    PrefDoc = inline_serializer(
        "OncallPreferences", {"shift_notice_minutes": serializers.IntegerField()}
    )

    @extend_schema(summary="My on-call preferences", responses=PrefDoc)
    def get(self, request):
        prefs = OncallPreferences.objects.filter(user=request.user).first()
        minutes = prefs.shift_notice_minutes if prefs else OncallPreferences().shift_notice_minutes
        return Response({"shift_notice_minutes": minutes})

    @extend_schema(summary="Change my shift notice lead time", request=PrefDoc, responses=PrefDoc)
    def patch(self, request):
        data = _only(_body(request), {"shift_notice_minutes"})
        prefs = services.preferences_update(
            actor=Actor.from_request(request),
            user=request.user,
            shift_notice_minutes=data.get("shift_notice_minutes"),
        )
        return Response({"shift_notice_minutes": prefs.shift_notice_minutes})


# --- swaps ------------------------------------------------------------------------------------


class SwapListView(OncallView):
    @extend_schema(summary="Swap requests of a schedule", responses=SwapDoc)
    def get(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        swaps = selectors.schedule_swaps(schedules=[schedule])[:500]
        return Response({"results": [swap_json(s) for s in swaps]})

    @extend_schema(
        summary="Give away a span of my shifts", request=SwapCreateDoc, responses={201: SwapDoc}
    )
    def post(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        require(request.user, "oncall.request_swap", schedule)
        data = _only(_body(request), {"start", "end", "asked", "note"})
        swap = services.swap_request_create(
            actor=Actor.from_request(request),
            schedule=schedule,
            start=data.get("start"),
            end=data.get("end"),
            asked=data.get("asked"),
            note=data.get("note") or "",
        )
        return Response(swap_json(swap), status=status.HTTP_201_CREATED)


class SwapActionView(OncallView):
    """POST /api/v1/swaps/{id}/{accept|approve|decline|cancel}/"""

    action_name = ""

    @extend_schema(summary="Act on a swap request", request=None, responses=SwapDoc)
    def post(self, request, swap_id: int):
        swap = get_object_or_404(SwapRequest.objects.select_related("schedule__team"), pk=swap_id)
        if not request.user.has_perm("oncall.view_schedule", swap.schedule):
            raise selectors_not_found()
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
        return Response(swap_json(swap))


class MySwapsView(OncallView):
    @extend_schema(summary="Swap requests I asked, was asked, or took", responses=SwapDoc)
    def get(self, request):
        swaps = selectors.schedule_swaps(user=request.user)[:500]
        return Response({"results": [swap_json(s) for s in swaps]})


# --- iCal feeds -------------------------------------------------------------------------------


def _feed_url(request, raw: str) -> str:
    return feed_url(raw)


class MyFeedView(OncallView):
    @extend_schema(
        summary="New secret URL of my shifts feed (old one revoked)",
        request=None,
        responses={201: FeedDoc},
    )
    def post(self, request):
        feed, raw = services.ical_token_regenerate(
            actor=Actor.from_request(request), owner=request.user
        )
        return Response(
            {"url": _feed_url(request, raw), "token_prefix": feed.token_prefix},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="Revoke my shifts feed", responses={204: None})
    def delete(self, request):
        services.ical_token_revoke(actor=Actor.from_request(request), owner=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleFeedView(OncallView):
    @extend_schema(
        summary="New secret URL of this schedule's feed (mine; old revoked)",
        request=None,
        responses={201: FeedDoc},
    )
    def post(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        feed, raw = services.ical_token_regenerate(
            actor=Actor.from_request(request), owner=request.user, schedule=schedule
        )
        return Response(
            {"url": _feed_url(request, raw), "token_prefix": feed.token_prefix},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="Revoke my feed of this schedule", responses={204: None})
    def delete(self, request, schedule_id: int):
        schedule = _schedule_for(request, schedule_id)
        services.ical_token_revoke(
            actor=Actor.from_request(request), owner=request.user, schedule=schedule
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
