"""The chat pages: the rooms I am in (unread counts), a room (topics, messages with infinite
scroll, the composer), mentions of me, search; and the forms' actions (post without
JavaScript, edit, delete, mark read, topic moderation, held messages, direct and private
rooms). Every write goes through chat.services; a refusal comes back as a form error or a
message, nothing written. Someone else's room is a 404, like no room at all.

With JavaScript (static/js/chat.js), messages are sent and arrive on the page's one
/ws/events/ socket; the rows are always rendered here (times in the viewer's zone, each
author's own local time beside it), fetched as fragments: `?before=` scrolls back,
`?after=` catches up after an event or a reconnect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core import presence
from core.audit import Actor
from core.forms import apply_errors
from core.permissions import found_or_404, rule_allows
from core.zones import zoneinfo
from teams.permissions import is_person

from . import presenters, selectors, services, validation
from .forms import (
    ComposeForm,
    DirectForm,
    EditForm,
    PrivateRoomForm,
    SearchForm,
    TopicMoveForm,
    TopicRenameForm,
)
from .models import HeldMessage, RoomKind

User = get_user_model()
SIDEBAR_ROOMS = 200


def _zone(request: HttpRequest):
    profile = getattr(request.user, "profile", None)
    return zoneinfo(profile.time_zone if profile is not None else "UTC")


def _person(request: HttpRequest) -> None:
    if not is_person(request.user):
        raise PermissionDenied("You do not have permission to do this.")


def _room(request: HttpRequest, pk: int):
    _person(request)
    return found_or_404(selectors.room_for_page(request.user, pk), "room")


def _sidebar(request: HttpRequest, current_id: int | None):
    rooms = list(selectors.rooms_of(request.user)[:SIDEBAR_ROOMS])
    others = {presenters.direct_other_id(r, request.user.pk) for r in rooms} - {None}
    people = selectors.people_by_id(others) if others else {}
    return presenters.sidebar(rooms, request.user, people, current_id), rooms


def _int_param(request: HttpRequest, name: str) -> int | None:
    """A whole-number query parameter; junk is a 400 (BadRequest), absent is None."""
    value = request.GET.get(name)
    if value in (None, ""):
        return None
    try:
        return validation.clean_seq(value, field=name)
    except ValidationError as exc:
        from django.core.exceptions import BadRequest

        raise BadRequest(exc.messages[0]) from exc


def _topic_param(request: HttpRequest, room):
    pk = _int_param(request, "topic")
    return None if pk is None else found_or_404(selectors.topic_of(room, pk), "topic")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The rooms I am in; on a wide screen the most recently active opens beside them."""
    _person(request)
    services.rooms_for_viewer_ensure(user=request.user)
    rooms, _ = _sidebar(request, None)
    return render(
        request,
        "chat/home.html",
        {
            "rooms": rooms,
            "direct_form": DirectForm(),
            "private_form": PrivateRoomForm(),
            "search_form": SearchForm(),
        },
    )


def _message_context(request, room, messages_, read_seq: int, moderator: bool) -> list[dict]:
    reached = {
        r.get("person") for m in messages_ for r in (m.mentions or []) if isinstance(r, dict)
    }
    people = selectors.people_by_id({pk for pk in reached if isinstance(pk, int)})
    return presenters.message_rows(
        messages_,
        zone=_zone(request),
        viewer=request.user,
        read_seq=read_seq,
        people=people,
        moderator=moderator,
    )


@require_safe
def room_page(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    return _room_page(request, room)


def _room_page(request, room, *, compose_form=None, status: int = 200) -> HttpResponse:
    user, now = request.user, timezone.now()
    topic = _topic_param(request, room)
    rooms, raw = _sidebar(request, room.pk)
    me = next((r for r in raw if r.pk == room.pk), None)
    read_seq = me.read_seq if me is not None else 0
    moderator = rule_allows(user, "chat.moderate_room", room)
    page = selectors.messages_before(room, None, topic=topic)
    people, member_count = selectors.people_in(room)
    online = presence.online_ids([p.pk for p in people])
    current_title = next(r["title"] for r in rooms if r["current"]) if me else ""
    context = {
        "room": room,
        "title": current_title or presenters.room_title(room),
        "rooms": rooms,
        "topic": topic,
        "topics": selectors.topics_of(room, user, read_seq=read_seq),
        "rows": _message_context(request, room, page, read_seq, moderator),
        "oldest_seq": page[0].seq if page else 0,
        "newest_seq": room.last_seq,
        "read_seq": read_seq,
        "unread": me.unread if me is not None else 0,
        "moderator": moderator,
        "members": [presenters.person_row(p, now=now, online=online) for p in people],
        "member_count": member_count,
        "mentionable": selectors.mentionable(room, user),
        "held": selectors.held_by(user, room),
        "compose_form": compose_form or ComposeForm(initial={"topic": topic.name if topic else ""}),
        "rename_form": TopicRenameForm(),
        "move_rooms": [
            (r, presenters.room_title(r))
            for r in selectors.rooms_moderated_by(user)
            if r.pk != room.pk
        ]
        if moderator
        else [],
        "viewer_zone": _zone(request).key,
        "is_direct": room.kind == RoomKind.DIRECT,
    }
    return render(request, "chat/room.html", context, status=status)


@require_safe
def messages_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """Message rows: ?before=<seq> (scrolling back) or ?after=<seq> (catching up), of the
    room or of one ?topic=; the fragment's data-* say where the next request starts."""
    room = _room(request, pk)
    topic = _topic_param(request, room)
    after, before = _int_param(request, "after"), _int_param(request, "before")
    if after is not None:
        page = selectors.messages_after(room, after, topic=topic)
    else:
        page = selectors.messages_before(room, before, topic=topic)
    pointer = selectors.pointer(room, request.user)
    read_seq = pointer.last_read_seq if pointer is not None else 0
    moderator = rule_allows(request.user, "chat.moderate_room", room)
    rows = _message_context(request, room, page, read_seq, moderator)
    if after is not None:
        # Catching up never repeats a day heading or the unread line the page shows already.
        for row in rows:
            row["day"] = row["day"] if request.GET.get("day") != row["day"] else ""
            row["first_unread"] = False
    return render(
        request,
        "chat/_messages.html",
        {
            "rows": rows,
            "room": room,
            "fragment": True,
            "direction": "after" if after is not None else "before",
            "first_seq": page[0].seq if page else 0,
            "last_seq": page[-1].seq if page else 0,
        },
    )


@require_POST
def post(request: HttpRequest, pk: int) -> HttpResponse:
    """Send from the composer without JavaScript (with it, the socket sends)."""
    room = _room(request, pk)
    form = ComposeForm(request.POST)
    if not form.is_valid():
        return _room_page(request, room, compose_form=form, status=400)
    data = form.cleaned_data
    actor = Actor.from_request(request)
    try:
        if data["later"]:
            result = services.message_send_at_their_morning(
                actor=actor, room=room, body=data["body"], topic=data["topic"]
            )
        else:
            result = services.message_post(
                actor=actor,
                room=room,
                body=data["body"],
                topic=data["topic"],
                urgent=data["urgent"],
            )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _room_page(request, room, compose_form=form, status=400)
    url = reverse("chat-room", kwargs={"pk": room.pk})
    if isinstance(result, HeldMessage):
        messages.success(request, presenters.held_text(result, _zone(request)))
        return redirect(url)
    return redirect(f"{url}#m{result.seq}")


@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    seq = request.POST.get("seq", "")
    try:
        services.room_mark_read(actor=Actor.from_request(request), room=room, seq=seq)
    except ValidationError as exc:
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
        messages.error(request, " ".join(exc.messages))
        return redirect("chat-room", pk=room.pk)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect("chat-room", pk=room.pk)


def _message(request: HttpRequest, pk: int, seq: int):
    room = _room(request, pk)
    return room, found_or_404(selectors.message_of(room, seq), "message")


@require_POST
def edit(request: HttpRequest, pk: int, seq: int) -> HttpResponse:
    room, message = _message(request, pk, seq)
    if not rule_allows(request.user, "chat.edit_message", message):
        raise PermissionDenied("Only its author edits a message.")
    form = EditForm(request.POST)
    if form.is_valid():
        try:
            services.message_edit(
                actor=Actor.from_request(request), message=message, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Write something: an empty message says nothing.")
    return redirect(reverse("chat-room", kwargs={"pk": room.pk}) + f"#m{message.seq}")


@require_POST
def delete(request: HttpRequest, pk: int, seq: int) -> HttpResponse:
    room, message = _message(request, pk, seq)
    if not rule_allows(request.user, "chat.delete_message", message):
        raise PermissionDenied("Only its author or the team's leads delete a message.")
    try:
        services.message_delete(
            actor=Actor.from_request(request),
            message=message,
            may_moderate=rule_allows(request.user, "chat.moderate", message),
        )
        messages.success(request, "Message deleted.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("chat-room", pk=room.pk)


@require_POST
def topic_action(request: HttpRequest, pk: int, topic_id: int, action: str) -> HttpResponse:
    """Mark a topic read (anyone in the room); resolve, reopen, rename, move (moderators)."""
    room = _room(request, pk)
    topic = found_or_404(selectors.topic_of(room, topic_id), "topic")
    actor = Actor.from_request(request)
    if action != "read" and not rule_allows(request.user, "chat.moderate_room", room):
        raise PermissionDenied(validation.NOT_MODERATOR)
    url = reverse("chat-room", kwargs={"pk": room.pk})
    try:
        if action == "read":
            services.topic_mark_read(actor=actor, topic=topic)
            done = f"Marked “{topic.name}” read."
        elif action in ("resolve", "reopen"):
            services.topic_resolve(actor=actor, topic=topic, resolved=action == "resolve")
            done = f"“{topic.name}” {'resolved' if action == 'resolve' else 'reopened'}."
        elif action == "rename":
            form = TopicRenameForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"name": "Give the topic a name (at most 60 characters)."})
            new = services.topic_rename(actor=actor, topic=topic, name=form.cleaned_data["name"])
            done = f"Renamed to “{new.name}”."
            url += f"?topic={new.pk}"
        else:  # move
            choices = [(r, "") for r in selectors.rooms_moderated_by(request.user)]
            form = TopicMoveForm(request.POST, rooms=choices)
            if not form.is_valid():
                raise ValidationError({"to_room": "Choose a room you moderate."})
            to_room = next(r for r, _ in choices if r.pk == form.cleaned_data["to_room"])
            new = services.topic_move(
                actor=actor, topic=topic, to_room=to_room, name=form.cleaned_data["name"]
            )
            done = f"Moved “{topic.name}” to {presenters.room_title(to_room)}."
            url = reverse("chat-room", kwargs={"pk": to_room.pk}) + f"?topic={new.pk}"
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("chat-room", pk=room.pk)
    messages.success(request, done)
    return redirect(url)


@require_POST
def held_cancel(request: HttpRequest, pk: int, held_id: int) -> HttpResponse:
    room = _room(request, pk)
    held = found_or_404(
        next((h for h in selectors.held_by(request.user, room) if h.pk == held_id), None),
        "held message",
    )
    try:
        services.held_cancel(actor=Actor.from_request(request), held=held)
        messages.success(request, "Cancelled: it will not be sent.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("chat-room", pk=room.pk)


@require_POST
def direct(request: HttpRequest) -> HttpResponse:
    _person(request)
    form = DirectForm(request.POST)
    person = None
    if form.is_valid():
        name = form.cleaned_data["person"].strip().lstrip("@").lower()
        person = selectors.people_named([name]).get(name)
    if person is None:
        messages.error(request, "No active person has that username.")
        return redirect("chat-home")
    try:
        room = services.direct_room_open(actor=Actor.from_request(request), person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("chat-home")
    return redirect("chat-room", pk=room.pk)


@require_POST
def private_create(request: HttpRequest) -> HttpResponse:
    _person(request)
    form = PrivateRoomForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the room a name (at most 80 characters).")
        return redirect("chat-home")
    names = [
        n.strip().lstrip("@").lower() for n in form.cleaned_data["people"].split(",") if n.strip()
    ]
    found = selectors.people_named(names)
    missing = sorted(set(names) - set(found))
    if missing:
        messages.error(request, f"No active person has the username {', '.join(missing)[:200]}.")
        return redirect("chat-home")
    try:
        room = services.private_room_create(
            actor=Actor.from_request(request),
            name=form.cleaned_data["name"],
            people=list(found.values()),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("chat-home")
    return redirect("chat-room", pk=room.pk)


@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    room = _room(request, pk)
    try:
        services.room_leave(actor=Actor.from_request(request), room=room)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("chat-room", pk=room.pk)
    messages.success(request, "You left the room.")
    return redirect("chat-home")


@require_safe
def mentions(request: HttpRequest) -> HttpResponse:
    """Where I was mentioned in the last 30 days, newest first."""
    _person(request)
    now = timezone.now()
    rows = selectors.mentions_of(request.user, start=now - selectors.MENTIONS_WINDOW, end=now)
    zone = _zone(request)
    return render(
        request,
        "chat/mentions.html",
        {"rows": presenters.mention_rows(rows, zone=zone), "viewer_zone": zone.key},
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    _person(request)
    form = SearchForm(request.GET)
    found, text = [], ""
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        found = selectors.search(request.user, text) if text else []
    zone = _zone(request)
    return render(
        request,
        "chat/search.html",
        {
            "form": form,
            "text": text,
            "rows": presenters.search_rows(found, zone=zone),
            "viewer_zone": zone.key,
        },
        status=200 if form.is_valid() else 400,
    )
