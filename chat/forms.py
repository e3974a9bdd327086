"""Forms of the chat pages (chat.services checks every value again)."""

from __future__ import annotations

from django import forms

from .models import MAX_BODY, MAX_ROOM_NAME, MAX_TOPIC


class ComposeForm(forms.Form):
    topic = forms.CharField(
        max_length=MAX_TOPIC,
        required=False,
        help_text="Every message has a topic; empty: “general”.",
    )
    body = forms.CharField(
        label="Message",
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Write a message (@ to mention)"}),
    )
    urgent = forms.BooleanField(
        required=False, help_text="People you mention are told at once, even off hours."
    )
    later = forms.BooleanField(
        label="Send at their morning",
        required=False,
        help_text="A direct message, or one that @mentions someone, waits for the start of "
        "their working day.",
    )


class EditForm(forms.Form):
    body = forms.CharField(max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 3}))


class TopicRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=MAX_TOPIC)


class TopicMoveForm(forms.Form):
    to_room = forms.TypedChoiceField(label="Move to", coerce=int, choices=())
    name = forms.CharField(label="Topic there", max_length=MAX_TOPIC, required=False)

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_room"].choices = [(r.pk, title) for r, title in rooms]


class DirectForm(forms.Form):
    person = forms.CharField(label="Direct message to", max_length=150, help_text="Their username.")


class PrivateRoomForm(forms.Form):
    name = forms.CharField(max_length=MAX_ROOM_NAME)
    people = forms.CharField(
        label="People", required=False, max_length=2000, help_text="Usernames, commas between."
    )


class SearchForm(forms.Form):
    q = forms.CharField(label="Search messages", max_length=200, required=False)
