"""Scrape tokens for /metrics: create (prints the token once), revoke, list."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import scrape_tokens
from accounts.services import scrape_token_create, scrape_token_revoke
from core.audit import Actor


class Command(BaseCommand):
    help = (
        "Tokens Prometheus shows to read /metrics (Authorization: Bearer <token>). "
        "`metrics_token create NAME` prints the new token, only it and only once; "
        "`metrics_token revoke NAME` refuses it from the next scrape; `metrics_token list`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it.")
        create.add_argument("name", help="A name to recognise it by, e.g. prometheus-eu.")
        revoke = sub.add_parser("revoke", help="Revoke a token.")
        revoke.add_argument("name")
        sub.add_parser("list", help="List the tokens (names, prefixes, use; never secrets).")

    def handle(self, *args, action: str, **options):
        actor = Actor.system(via="cli")
        if action == "create":
            try:
                _token, raw = scrape_token_create(actor=actor, name=options["name"])
            except ValidationError as exc:
                details = "; ".join(" ".join(m) for m in exc.message_dict.values())
                raise CommandError(f"No token created. {details}") from exc
            self.stdout.write(raw)
        elif action == "revoke":
            token = scrape_tokens().filter(name=options["name"]).first()
            if token is None:
                raise CommandError(f"No scrape token is named '{options['name']}'.")
            scrape_token_revoke(actor=actor, token=token)
            self.stdout.write(f"Revoked '{token.name}'.")
        else:
            for token in scrape_tokens():
                state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "live"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(f"{token.name}\t{token.prefix}…\t{state}\tlast used {used}")
