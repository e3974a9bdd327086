"""REST API for handoff notes: send one, list mine (waiting for me, sent, received, my teams'),
read one, acknowledge it, act on an item (acknowledge, done, hand back), follow up, edit before
the first acknowledgement; my prompts, the digest a note starts from, my prompt lead time.
Token scope area: "handoffs".

Thin, as every Baton API: a strict input serializer (handoffs/serializers.py) checks the shape
and JSON types of a body, then one service writes (its ValidationError becomes a 400 naming
the field) or one selector reads. A note the caller may not read answers 404 (no IDOR); one
they may read but not act on, 403.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import paged, valid, valid_in_team
from core.audit import Actor
from core.pagination import DefaultCursorPagination
from core.permissions import found_or_404, require
from teams.selectors import team_ids_of

from . import selectors, services, validation
from . import serializers as s


class HandoffsView(APIView):
    scope_area = "handoffs"


class NewestFirstPagination(DefaultCursorPagination):
    ordering = ("-sent_at", "-id")


def _note_for(request, note_id: int, perm: str = ""):
    note = found_or_404(selectors.note_for_page(note_id), "handoff note")
    if not request.user.has_perm("handoffs.view_note", note):
        found_or_404(None, "handoff note")
    if perm:
        require(request.user, perm, note)
    return note


def _answer(note, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.note_for_page(note.pk)
    return Response(s.NoteSerializer(fresh).data, status=code)


class HandoffListView(HandoffsView):
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="My handoff notes: waiting for me (default), sent by me, received, or my teams'",
        parameters=[s.HandoffQuerySerializer],
        responses=s.NoteSerializer(many=True),
        operation_id="handoffs_list",
    )
    def get(self, request):
        query = valid(s.HandoffQuerySerializer, request.query_params)
        box = query.get("box") or "waiting"
        user = request.user
        if box == "waiting":
            notes = selectors.waiting_for(user, now=timezone.now())
        elif box == "sent":
            notes = selectors.sent_by(user)
        elif box == "received":
            notes = selectors.received_by(user)
        else:
            teams = team_ids_of(user)
            if query.get("team"):
                # Another team's notes are not mine to list: an empty list, not an error.
                teams = teams & {query["team"]}
            notes = selectors.notes_of_teams(teams)
        return paged(self, notes, s.NoteSerializer)

    @extend_schema(
        summary="Send a handoff note for one of my teams; its recipients are resolved now",
        request=s.HandoffCreateSerializer,
        responses={201: s.NoteSerializer},
    )
    def post(self, request):
        data = valid_in_team(s.HandoffCreateSerializer, request, "handoffs.write_note")
        data["links"] = [dict(link) for link in data.get("links", [])]
        data["items"] = [dict(item) for item in data.get("items", [])]
        note = services.handoff_send(actor=Actor.from_request(request), **data)
        return _answer(note, status.HTTP_201_CREATED)


class HandoffDetailView(HandoffsView):
    @extend_schema(
        summary="A handoff note: its recipients (each with when it reached them and when they "
        "acknowledged), items, follow-ups and context",
        responses=s.NoteSerializer,
    )
    def get(self, request, note_id: int):
        return Response(s.NoteSerializer(_note_for(request, note_id)).data)

    @extend_schema(
        summary="Correct a note (its author, before the first acknowledgement)",
        request=s.HandoffEditSerializer,
        responses=s.NoteSerializer,
    )
    def patch(self, request, note_id: int):
        note = _note_for(request, note_id, "handoffs.change_note")
        data = valid(s.HandoffEditSerializer, request.data)
        if "links" in data:
            data["links"] = [dict(link) for link in data["links"]]
        services.handoff_edit(actor=Actor.from_request(request), note=note, **data)
        return _answer(note)


class HandoffAcknowledgeView(HandoffsView):
    @extend_schema(
        summary="Acknowledge a note sent to me: the author is told, reminders stop",
        request=None,
        responses=s.NoteSerializer,
    )
    def post(self, request, note_id: int):
        note = _note_for(request, note_id, "handoffs.acknowledge_note")
        services.handoff_acknowledge(actor=Actor.from_request(request), note=note)
        return _answer(note)


class HandoffItemView(HandoffsView):
    @extend_schema(
        summary="Act on an item: acknowledge, done, or hand back with a reason (its owner; an "
        "item without one, any recipient, who then owns it)",
        request=s.ItemActionSerializer,
        responses=s.NoteSerializer,
    )
    def post(self, request, note_id: int, item_id: int):
        note = _note_for(request, note_id)
        item = next((i for i in note.items.all() if i.pk == item_id), None)
        found_or_404(item, "item")
        require(request.user, "handoffs.act_on_item", item)
        data = valid(s.ItemActionSerializer, request.data)
        services.item_act(actor=Actor.from_request(request), item=item, **data)
        return _answer(note)


class HandoffFollowUpView(HandoffsView):
    @extend_schema(
        summary="Append a follow-up (the author and the recipients); the others are told",
        request=s.FollowUpCreateSerializer,
        responses={201: s.NoteSerializer},
    )
    def post(self, request, note_id: int):
        note = _note_for(request, note_id, "handoffs.follow_up")
        data = valid(s.FollowUpCreateSerializer, request.data)
        services.follow_up_add(actor=Actor.from_request(request), note=note, **data)
        return _answer(note, status.HTTP_201_CREATED)


class PromptListView(HandoffsView):
    @extend_schema(
        summary="The prompts I was sent to write a note (newest first, the last 14 days)",
        responses=s.PromptListSerializer,
    )
    def get(self, request):
        prompts = selectors.prompts_of(request.user, since=timezone.now() - timedelta(days=14))
        return Response(s.PromptListSerializer({"results": prompts}).data)


class DigestView(HandoffsView):
    @extend_schema(
        summary="What happened in a prompt's shift or day (else the last hours) that a note may "
        "carry: urgent updates of my teams, changes to projects I own or watch, open items, "
        "mentions of me in chat",
        parameters=[s.DigestQuerySerializer],
        responses=s.DigestSerializer,
    )
    def get(self, request):
        query = valid(s.DigestQuerySerializer, request.query_params)
        now = timezone.now()
        schedule_id = query.get("schedule")
        if query.get("prompt"):
            prompt = selectors.prompt_of(request.user, query["prompt"])
            if prompt is None:
                raise ValidationError({"prompt": validation.NO_PROMPT})
            start, end = prompt.period_start, max(now, prompt.period_end)
            schedule_id = prompt.schedule_id or schedule_id
        else:
            start, end = now - timedelta(hours=query.get("hours", 12)), now
        entries = selectors.digest_for(request.user, start=start, end=end, schedule_id=schedule_id)
        return Response(s.DigestSerializer({"start": start, "end": end, "results": entries}).data)


class PreferencesView(HandoffsView):
    @extend_schema(summary="My handoff preferences", responses=s.HandoffPreferencesSerializer)
    def get(self, request):
        return Response({"prompt_minutes": selectors.prompt_minutes(request.user)})

    @extend_schema(
        summary="Change how long before my shift or working day ends I am asked for a note",
        request=s.HandoffPreferencesUpdateSerializer,
        responses=s.HandoffPreferencesSerializer,
    )
    def patch(self, request):
        data = valid(s.HandoffPreferencesUpdateSerializer, request.data)
        prefs = services.preferences_update(
            actor=Actor.from_request(request), user=request.user, **data
        )
        return Response({"prompt_minutes": prefs.prompt_minutes})
