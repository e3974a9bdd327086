"""Re-encrypt the secrets stored encrypted (second-factor seeds, webhook signing secrets) with
the current SECRET_KEY, after a rotation.

    python manage.py reencrypt_secrets

Run it once the new SECRET_KEY is live with the old one in SECRET_KEY_FALLBACKS; afterwards
the old key can be dropped from the fallbacks without anyone losing their authenticator or a
webhook its signing secret.
"""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import crypto
from accounts.services import second_factor_seeds_rewrite
from notifications.models import Webhook


class Command(BaseCommand):
    help = "Re-encrypt second-factor seeds and webhook secrets with the current SECRET_KEY."

    def handle(self, *args, **options):
        def again(value: str) -> str:
            return crypto.encrypt(crypto.decrypt(value))

        with transaction.atomic():
            changed = second_factor_seeds_rewrite(
                authenticators=Authenticator.objects.select_for_update().order_by("pk"),
                convert=again,
            )
            hooks = list(Webhook.objects.select_for_update().order_by("pk"))
            for hook in hooks:
                hook.secret = again(hook.secret)
            Webhook.objects.bulk_update(hooks, ["secret"])
        self.stdout.write(
            f"Re-encrypted the seeds of {changed} authenticator(s) "
            f"and the secrets of {len(hooks)} webhook(s)."
        )
