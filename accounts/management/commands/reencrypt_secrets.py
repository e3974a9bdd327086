"""Re-encrypt stored second-factor seeds with the current SECRET_KEY (after a rotation).

    python manage.py reencrypt_secrets

Run it once the new SECRET_KEY is live with the old one in SECRET_KEY_FALLBACKS; afterwards
the old key can be dropped from the fallbacks without anyone losing their authenticator.
"""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import crypto
from accounts.services import second_factor_seeds_rewrite


class Command(BaseCommand):
    help = "Re-encrypt second-factor seeds with the current SECRET_KEY."

    def handle(self, *args, **options):
        with transaction.atomic():
            changed = second_factor_seeds_rewrite(
                authenticators=Authenticator.objects.select_for_update().order_by("pk"),
                convert=lambda value: crypto.encrypt(crypto.decrypt(value)),
            )
        self.stdout.write(f"Re-encrypted the seeds of {changed} authenticator(s).")
