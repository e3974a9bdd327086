"""Demo conversations for seed_demo (core.demo), after teams, schedules and projects: a few
topics in the first teams' rooms over the last day, written in turn by their members, with
an @mention and an @oncall among them; quietly (no notices, nothing published), like the
other apps' demo data. Deterministic for a given database and clock."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.audit import Actor
from teams.models import Membership, Team

from . import services
from .models import Message

_TALK = (
    ("deploys", "Friday's release is cut; the changelog is in the usual place."),
    ("deploys", "Thanks. I'll watch the error rates through my morning."),
    ("alerts", "The disk alert on db-2 fired twice overnight; both cleared by themselves."),
    ("alerts", "@{next} could you look at the cleanup job when you start?"),
    ("alerts", "Looking now: the job ran late, not failing. I'll move it an hour earlier."),
    ("handover", "@oncall the payment retries are slow again, nothing paging yet."),
    ("handover", "On it. Queue is draining; I'll post when it is back to normal."),
    ("general", "Welcome to the room: every message has a topic, so threads stay apart."),
)


def seed(run) -> None:
    if Message.objects.exists():
        return
    while services.rooms_backfill():  # every team's and project's room, as after the sweep
        pass
    now = timezone.now()
    made = 0
    for team in Team.objects.order_by("id")[:3]:
        people = [
            m.person
            for m in Membership.objects.filter(team=team, person__is_active=True)
            .select_related("person__profile")
            .order_by("person_id")[:4]
        ]
        if len(people) < 2:
            continue
        room = services.team_room_ensure(team=team)
        for n, (topic, text) in enumerate(_TALK):
            author = people[n % len(people)]
            following = people[(n + 1) % len(people)]
            body = text.replace("{next}", following.username)
            services.message_post(
                actor=Actor(user=author, via="demo"),
                room=room,
                body=body,
                topic=topic,
                rate_limited=False,
                at=now - timedelta(hours=20) + timedelta(minutes=47 * n),
                quiet=True,
            )
            made += 1
    if made:
        run.say(f"Created {made} chat messages in the first teams' rooms.")
