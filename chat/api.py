"""REST API of chat: my rooms with unread counts, a room's messages (history, and resync after
the last seq seen), post, edit, delete, mark read; private rooms and direct conversations.
Token scope area: "chat".

Thin: a strict input serializer checks the shape, one service writes (its ValidationError is
a 400 naming the field), one selector reads. A room the caller is not in answers 404 (no
IDOR); a message they may read but not change, 403.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import results_of, valid
from core.audit import Actor
from core.permissions import found_or_404, require

from . import selectors, services, validation
from . import serializers as s
from .models import HeldMessage

RoomList = results_of(s.RoomSerializer, "ChatRoomList")


class ChatView(APIView):
    scope_area = "chat"


def _room(request, room_id: int):
    return found_or_404(selectors.room_for_page(request.user, room_id), "room")


def _with_pointer(request, room):
    return selectors.rooms_of(request.user).get(pk=room.pk)


class RoomListView(ChatView):
    @extend_schema(
        summary="The rooms I am in, newest activity first, with unread counts",
        responses=RoomList,
        operation_id="chat_rooms_list",
    )
    def get(self, request):
        rooms = list(selectors.rooms_of(request.user)[:500])
        return Response(RoomList({"results": rooms}).data)

    @extend_schema(
        summary="Create a private room",
        request=s.RoomCreateSerializer,
        responses={201: s.RoomSerializer},
    )
    def post(self, request):
        data = valid(s.RoomCreateSerializer, request.data)
        room = services.private_room_create(actor=Actor.from_request(request), **data)
        return Response(s.RoomSerializer(_with_pointer(request, room)).data, status=201)


class DirectView(ChatView):
    @extend_schema(
        summary="Open (or find) my direct conversation with a person",
        request=s.DirectSerializer,
        responses=s.RoomSerializer,
    )
    def post(self, request):
        data = valid(s.DirectSerializer, request.data)
        room = services.direct_room_open(actor=Actor.from_request(request), **data)
        return Response(s.RoomSerializer(_with_pointer(request, room)).data)


class RoomDetailView(ChatView):
    @extend_schema(summary="A room I am in, with my read pointer", responses=s.RoomSerializer)
    def get(self, request, room_id: int):
        room = _room(request, room_id)
        return Response(s.RoomSerializer(_with_pointer(request, room)).data)


class MessageListView(ChatView):
    @extend_schema(
        summary="A room's messages: after a seq (resync, oldest first), before one (scrolling "
        "back), or the newest page",
        parameters=[s.MessagesQuerySerializer],
        responses=s.MessagePageSerializer,
        operation_id="chat_messages_list",
    )
    def get(self, request, room_id: int):
        room = _room(request, room_id)
        query = valid(s.MessagesQuerySerializer, request.query_params)
        limit = query.get("limit", selectors.PAGE)
        if "after" in query:
            messages = selectors.messages_after(room, query["after"], limit=limit)
        else:
            messages = selectors.messages_before(room, query.get("before"), limit=limit)
        room.refresh_from_db(fields=["last_seq"])
        return Response(
            s.MessagePageSerializer({"results": messages, "last_seq": room.last_seq}).data
        )

    @extend_schema(
        summary="Post a message (its mentions are told, the room hears of it live), or hold "
        "it for the recipient's morning",
        request=s.MessagePostSerializer,
        responses={201: s.MessageSerializer, 202: s.HeldSerializer},
    )
    def post(self, request, room_id: int):
        room = _room(request, room_id)
        data = valid(s.MessagePostSerializer, request.data)
        actor = Actor.from_request(request)
        if data.pop("send_at_their_morning", False):
            if data.pop("urgent", False):
                raise ValidationError(
                    {"urgent": "An urgent message goes now, not at their morning."}
                )
            result = services.message_send_at_their_morning(actor=actor, room=room, **data)
            if isinstance(result, HeldMessage):
                return Response(s.HeldSerializer(result).data, status=status.HTTP_202_ACCEPTED)
            message = result
        else:
            message = services.message_post(actor=actor, room=room, **data)
        fresh = selectors.message_of(room, message.seq)
        return Response(s.MessageSerializer(fresh).data, status=status.HTTP_201_CREATED)


class MessageDetailView(ChatView):
    def _message(self, request, room_id: int, seq: int):
        room = _room(request, room_id)
        return found_or_404(selectors.message_of(room, seq), "message")

    @extend_schema(summary="One message", responses=s.MessageSerializer)
    def get(self, request, room_id: int, seq: int):
        return Response(s.MessageSerializer(self._message(request, room_id, seq)).data)

    @extend_schema(
        summary="Edit my message (its earlier text is kept)",
        request=s.MessageEditSerializer,
        responses=s.MessageSerializer,
    )
    def patch(self, request, room_id: int, seq: int):
        message = self._message(request, room_id, seq)
        require(request.user, "chat.edit_message", message)
        data = valid(s.MessageEditSerializer, request.data)
        fresh = services.message_edit(actor=Actor.from_request(request), message=message, **data)
        return Response(s.MessageSerializer(fresh).data)

    @extend_schema(
        summary="Delete a message (mine, or as a lead of the room's team)",
        request=None,
        responses={200: s.MessageSerializer},
    )
    def delete(self, request, room_id: int, seq: int):
        message = self._message(request, room_id, seq)
        require(request.user, "chat.delete_message", message)
        fresh = services.message_delete(
            actor=Actor.from_request(request),
            message=message,
            may_moderate=request.user.has_perm("chat.moderate", message),
        )
        return Response(s.MessageSerializer(fresh).data)


class ReadView(ChatView):
    @extend_schema(
        summary="Mark the room read up to a seq (my pointer never moves back)",
        request=s.ReadSerializer,
        responses=s.ReadAnswerSerializer,
    )
    def post(self, request, room_id: int):
        room = _room(request, room_id)
        data = valid(s.ReadSerializer, request.data)
        seq = services.room_mark_read(actor=Actor.from_request(request), room=room, **data)
        return Response({"read_seq": seq})


class LeaveView(ChatView):
    @extend_schema(summary="Leave a private room", request=None, responses={204: None})
    def post(self, request, room_id: int):
        room = _room(request, room_id)
        services.room_leave(actor=Actor.from_request(request), room=room)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TopicListView(ChatView):
    @extend_schema(
        summary="A room's topics, latest activity first, with my unread counts",
        responses=s.TopicSerializer(many=True),
        operation_id="chat_topics_list",
    )
    def get(self, request, room_id: int):
        room = _room(request, room_id)
        pointer = selectors.pointer(room, request.user)
        topics = selectors.topics_of(
            room, request.user, read_seq=pointer.last_read_seq if pointer else 0
        )
        return Response(s.TopicSerializer(topics, many=True).data)


def _topic(request, room_id: int, topic_id: int):
    room = _room(request, room_id)
    return found_or_404(selectors.topic_of(room, topic_id), "topic")


def _unread_topic(request, topic):
    pointer = selectors.pointer(topic.room, request.user)
    found = selectors.topics_of(
        topic.room, request.user, read_seq=pointer.last_read_seq if pointer else 0
    )
    return next(t for t in found if t.pk == topic.pk)


class TopicDetailView(ChatView):
    @extend_schema(
        summary="Resolve or reopen a topic, rename it, or move it to another room (leads)",
        request=s.TopicChangeSerializer,
        responses=s.TopicSerializer,
    )
    def patch(self, request, room_id: int, topic_id: int):
        topic = _topic(request, room_id, topic_id)
        require(request.user, "chat.moderate_room", topic.room)
        data = valid(s.TopicChangeSerializer, request.data)
        actor = Actor.from_request(request)
        if "resolved" in data:
            result = services.topic_resolve(actor=actor, topic=topic, resolved=data["resolved"])
        elif "room" in data:
            to_room = found_or_404(selectors.room_for_page(request.user, data["room"]), "room")
            result = services.topic_move(
                actor=actor, topic=topic, to_room=to_room, name=data.get("name")
            )
        else:
            result = services.topic_rename(actor=actor, topic=topic, name=data["name"])
        return Response(s.TopicSerializer(_unread_topic(request, result)).data)


class TopicReadView(ChatView):
    @extend_schema(
        summary="Mark one topic read (the room's other topics stay unread)",
        request=None,
        responses=s.TopicSerializer,
    )
    def post(self, request, room_id: int, topic_id: int):
        topic = _topic(request, room_id, topic_id)
        services.topic_mark_read(actor=Actor.from_request(request), topic=topic)
        return Response(s.TopicSerializer(_unread_topic(request, topic)).data)


class HeldListView(ChatView):
    @extend_schema(
        summary="My messages in this room waiting for their recipient's morning",
        responses=s.HeldSerializer(many=True),
        operation_id="chat_held_list",
    )
    def get(self, request, room_id: int):
        room = _room(request, room_id)
        return Response(s.HeldSerializer(selectors.held_by(request.user, room), many=True).data)


class HeldDetailView(ChatView):
    @extend_schema(summary="Cancel a held message of mine", request=None, responses={204: None})
    def delete(self, request, room_id: int, held_id: int):
        room = _room(request, room_id)
        held = found_or_404(
            next((h for h in selectors.held_by(request.user, room) if h.pk == held_id), None),
            "held message",
        )
        services.held_cancel(actor=Actor.from_request(request), held=held)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchView(ChatView):
    @extend_schema(
        summary="Search the messages of the rooms I am in (best match first)",
        parameters=[s.SearchQuerySerializer],
        responses=s.SearchHitSerializer(many=True),
        operation_id="chat_search",
    )
    def get(self, request):
        query = valid(s.SearchQuerySerializer, request.query_params)
        room = None
        if "room" in query:
            # A filter, not an address: a room the caller is not in is a bad value (400).
            room = selectors.room_for_page(request.user, query["room"])
            if room is None:
                raise ValidationError({"room": validation.NO_ROOM})
        found = selectors.search(request.user, query["q"], room=room)
        return Response(s.SearchHitSerializer(found, many=True).data)
