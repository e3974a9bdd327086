"""Chat: rooms, topics inside them, messages with ids increasing per room.

A Room is a team's (one per team) or a project's (one per project), whose members follow the
team's membership (and the project's owners and watchers); or a private room or a direct
conversation, whose members are RoomMember rows. Every message has a topic (Zulip-style) and
a `seq`, its room's next number: a client that reconnects asks for everything after the last
seq it saw and loses nothing. RoomMember is also each person's read pointer in a room (for
team and project rooms it is written on first read).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import optional_person

MAX_BODY = 4000
MAX_TOPIC = 60
MAX_ROOM_NAME = 80


class RoomKind(models.TextChoices):
    TEAM = "team", "Team room"
    PROJECT = "project", "Project room"
    PRIVATE = "private", "Private room"
    DIRECT = "direct", "Direct messages"


class Room(models.Model):
    kind = models.CharField(max_length=10, choices=RoomKind.choices)
    name = models.CharField(max_length=MAX_ROOM_NAME, blank=True)  # private rooms
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # "3:17": the two people of a direct conversation, lower id first (one room per pair).
    direct_key = models.CharField(max_length=40, null=True, blank=True)
    created_by = optional_person()
    created_at = models.DateTimeField()
    # The seq of its newest message: the next one is last_seq + 1, taken under a row lock.
    last_seq = models.PositiveBigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RoomKind.values), name="room_kind_valid"),
            models.UniqueConstraint(
                fields=["team"], condition=Q(kind=RoomKind.TEAM), name="room_one_per_team"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(kind=RoomKind.PROJECT),
                name="room_one_per_project",
            ),
            models.UniqueConstraint(
                fields=["direct_key"],
                condition=Q(kind=RoomKind.DIRECT),
                name="room_one_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RoomKind.TEAM) | Q(team__isnull=False),
                name="room_team_has_team",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RoomKind.PROJECT) | Q(project__isnull=False),
                name="room_project_has_project",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RoomKind.DIRECT) | Q(direct_key__isnull=False),
                name="room_direct_has_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.kind} {self.pk}"


class RoomMember(models.Model):
    """Someone in a private room or a direct conversation (until `left_at`), and anyone's read
    pointer in any room: the seq of the last message they have read."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "person"], name="room_member_once"),
        ]
        indexes = [models.Index(fields=["person", "room"], name="room_member_person")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.room_id}"


class Topic(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=MAX_TOPIC)
    created_at = models.DateTimeField()
    last_seq = models.PositiveBigIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = optional_person()

    class Meta:
        ordering = ["room_id", "-last_seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "name"], name="topic_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="messages")
    author = optional_person()
    body = models.TextField()
    body_html = models.TextField()
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Who the @-mentions reached, as resolved when it was sent: [{"token", "people": [ids]}].
    mentions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["room_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_seq_once"),
        ]
        indexes = [models.Index(fields=["topic", "seq"], name="message_topic_seq")]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq}"


class MessageEdit(models.Model):
    """A message's earlier text, kept when its author edits it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="edits")
    body = models.TextField()
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["message_id", "replaced_at", "id"]

    def __str__(self) -> str:
        return f"edit of {self.message_id}"


class Mention(models.Model):
    """A person a message mentioned (directly, through a team, or as the one on call)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mention_rows")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=100)  # "@lou", "@support", "@oncall:Primary"
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "person"], name="mention_once"),
        ]
        indexes = [models.Index(fields=["person", "-created_at"], name="mention_person")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.message_id}"


class TopicRead(models.Model):
    """ "Mark topic read": the seq up to which a person has read one topic, beyond their room
    pointer. A message is unread when its seq is past both."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "person"], name="topic_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.topic_id} to {self.last_read_seq}"


class HeldMessage(models.Model):
    """A message written now and sent at its recipient's next working hour ("send at their
    morning"): a direct message, or one that @mentions a person. The sweep posts it once
    (`sent_message` set in the same transaction); its author may cancel it before."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="held")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    topic = models.CharField(max_length=MAX_TOPIC)
    body = models.TextField()
    created_at = models.DateTimeField()
    send_at = models.DateTimeField()
    sent_message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Why it could not be sent when due (the author left the room, was deactivated).
    failed = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["send_at", "id"]
        indexes = [
            models.Index(
                fields=["send_at"],
                condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                name="held_due",
            )
        ]

    def __str__(self) -> str:
        return f"held {self.pk} for {self.send_at:%Y-%m-%d %H:%M}"
