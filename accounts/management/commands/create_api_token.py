"""Create an API token from the command line (for automation set-up); prints only the token."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import MAX_TOKEN_DAYS, api_token_create
from core.audit import Actor


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it (only it, so scripts can capture it). "
        "Example: create_api_token ana --name ci --scopes people:read,teams:read --days 30"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="A name to recognise the token by.")
        parser.add_argument(
            "--scopes", required=True, help="Comma-separated, e.g. people:read,teams:write."
        )
        parser.add_argument(
            "--days", type=int, default=90, help=f"Lifetime in days (1-{MAX_TOKEN_DAYS})."
        )

    def handle(self, *args, username: str, name: str, scopes: str, days: int, **options):
        user = (
            get_user_model()
            .objects.select_related("profile")
            .filter(username__iexact=username)
            .first()
        )
        if user is None or getattr(user, "profile", None) is None:
            raise CommandError(f"No person has the username '{username}'.")
        if not user.is_active:
            raise CommandError(f"'{username}' has left; their account cannot get tokens.")
        try:
            _token, raw = api_token_create(
                actor=Actor.system(via="cli"), user=user, name=name, scopes=scopes, days=days
            )
        except ValidationError as exc:
            details = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
            raise CommandError(f"No token created. {details}") from exc
        self.stdout.write(raw)
