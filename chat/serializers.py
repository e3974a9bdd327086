"""Serializers of the chat API: output ones that render and document rooms and messages,
strict input ones that check the shape and JSON types of a body (chat.services checks the
values)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.api import (
    MAX_ID,
    BodySerializer,
    JsonBooleanField,
    JsonIdField,
    JsonIntegerField,
    JsonStringField,
    person_brief,
)

from . import presenters
from .models import MAX_BODY, MAX_ROOM_NAME, MAX_TOPIC, RoomKind


@extend_schema_serializer(component_name="ChatPerson")
class PersonBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    time_zone = serializers.CharField(help_text="IANA time zone.")
    is_active = serializers.BooleanField()

    def to_representation(self, user):
        return person_brief(user)


def room_title(room) -> str:
    return presenters.room_title(room, mark=False)


class RoomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RoomKind.choices)
    title = serializers.SerializerMethodField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    last_seq = serializers.IntegerField(help_text="The seq of its newest message (0: none).")
    last_message_at = serializers.DateTimeField(allow_null=True)
    read_seq = serializers.IntegerField(help_text="My read pointer.")
    unread = serializers.IntegerField()

    def get_title(self, room) -> str:
        return room_title(room)


class MessageSerializer(serializers.Serializer):
    room = serializers.IntegerField(source="room_id")
    seq = serializers.IntegerField(help_text="Increasing per room: resume after the last seen.")
    topic = serializers.CharField(source="topic.name")
    author = PersonBriefSerializer(allow_null=True)
    body = serializers.SerializerMethodField(help_text="Markdown as written; empty once deleted.")
    body_html = serializers.SerializerMethodField(help_text="Safe HTML; empty once deleted.")
    urgent = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.SerializerMethodField()
    mentions = serializers.ListField(
        child=serializers.DictField(), help_text='Whom its @-mentions reached: [{"person", "via"}].'
    )

    def get_body(self, message) -> str:
        return "" if message.deleted_at else message.body

    def get_body_html(self, message) -> str:
        return "" if message.deleted_at else message.body_html

    def get_deleted(self, message) -> bool:
        return message.deleted_at is not None


class MessagePageSerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    last_seq = serializers.IntegerField(help_text="The room's newest seq now.")


class MessagesQuerySerializer(serializers.Serializer):
    """?after=<seq>: what came after it, oldest first (resync); else ?before=<seq>: the page
    before it (scrolling back); neither: the newest page."""

    after = serializers.IntegerField(required=False, min_value=0, max_value=MAX_ID)
    before = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200)


class MessageCreateSerializer(BodySerializer):
    body = JsonStringField(help_text=f"Markdown, at most {MAX_BODY} characters.")
    topic = JsonStringField(
        required=False, help_text=f"At most {MAX_TOPIC} characters; default “general”."
    )
    urgent = JsonBooleanField(
        required=False, help_text="Mentions are told at once (urgent) instead of in the morning."
    )


class MessageEditSerializer(BodySerializer):
    body = JsonStringField()


class ReadSerializer(BodySerializer):
    seq = JsonIntegerField(digit_strings=True, help_text="The last message read.")


class ReadAnswerSerializer(serializers.Serializer):
    read_seq = serializers.IntegerField()


class RoomCreateSerializer(BodySerializer):
    """A private room (team and project rooms come with their team or project)."""

    name = JsonStringField(help_text=f"At most {MAX_ROOM_NAME} characters.")
    people = serializers.ListField(
        child=JsonIdField(), required=False, max_length=100, help_text="Who else is in it."
    )


class DirectSerializer(BodySerializer):
    person = JsonIdField(help_text="Whom to talk to.")


class MessagePostSerializer(MessageCreateSerializer):
    send_at_their_morning = JsonBooleanField(
        required=False,
        help_text="Hold it until the start of the recipient's next working period (the other "
        "person of a direct conversation, else the first person it @mentions); answered 202 "
        "with the held message, or 201 when they are working now.",
    )


class HeldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    room = serializers.IntegerField(source="room_id")
    recipient = PersonBriefSerializer()
    topic = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    send_at = serializers.DateTimeField(help_text="The start of the recipient's working period.")


class TopicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    last_seq = serializers.IntegerField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    unread = serializers.IntegerField(help_text="Its messages I have not read.")


class TopicChangeSerializer(BodySerializer):
    """One change: `resolved`, or `name` (onto an existing name the two topics become one),
    or `room` (move it there, optionally under `name`)."""

    resolved = JsonBooleanField(required=False)
    name = JsonStringField(required=False, help_text=f"At most {MAX_TOPIC} characters.")
    room = JsonIdField(required=False, help_text="Move the topic to this room (which I moderate).")

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Give resolved, name or room.")
        if "resolved" in attrs and len(attrs) > 1:
            raise serializers.ValidationError("Resolve alone, without name or room.")
        return attrs


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text='Words; "a phrase"; -without.')
    room = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class SearchHitSerializer(MessageSerializer):
    room_title = serializers.SerializerMethodField()

    def get_room_title(self, message) -> str:
        return room_title(message.room)
