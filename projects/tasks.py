"""Celery tasks of projects: update reminders, expiring transfers, acting owners reverting.
Thin (the rules are in projects.services); each is safe to run twice or concurrently: a row is
changed as it is handled, under select_for_update(skip_locked), and every notice carries an
idempotency key."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="projects.remind_updates")
def remind_updates() -> int:
    return services.update_reminders_send()


@shared_task(name="projects.expire_transfers")
def expire_transfers() -> int:
    return services.transfers_expire()


@shared_task(name="projects.revert_acting_owners")
def revert_acting_owners() -> int:
    return services.acting_revert_due()
