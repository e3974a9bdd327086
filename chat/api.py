"""REST API of chat: my rooms with unread counts, a room's messages (history, and resync after
the last seq seen), post, edit, delete, mark read; private rooms and direct conversations.
Token scope area: "chat".

Thin: a strict input serializer checks the shape, one service writes (its ValidationError is
a 400 naming the field), one selector reads. A room the caller is not in answers 404 (no
IDOR); a message they may read but not change, 403.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import results_of, valid
from core.audit import Actor
from core.permissions import found_or_404, require

from . import selectors, services
from . import serializers as s

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
        summary="Post a message; its mentions are told, the room hears of it live",
        request=s.MessageCreateSerializer,
        responses={201: s.MessageSerializer},
    )
    def post(self, request, room_id: int):
        room = _room(request, room_id)
        data = valid(s.MessageCreateSerializer, request.data)
        message = services.message_post(actor=Actor.from_request(request), room=room, **data)
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
