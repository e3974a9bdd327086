"""Re-encrypt the secrets stored encrypted (second-factor seeds, webhook signing secrets:
whatever the apps registered with core.crypto.register_encrypted) with the current SECRET_KEY,
after a rotation.

    python manage.py reencrypt_secrets

Run it once the new SECRET_KEY is live with the old one in SECRET_KEY_FALLBACKS; afterwards
the old key can be dropped from the fallbacks without anyone losing their authenticator or a
webhook its signing secret.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from core import crypto


class Command(BaseCommand):
    help = "Re-encrypt second-factor seeds and webhook secrets with the current SECRET_KEY."

    def handle(self, *args, **options):
        def again(value: str) -> str:
            return crypto.encrypt(crypto.decrypt(value))

        done = []
        with transaction.atomic():  # all or nothing: a half-rotated store is worse than none
            for entry in crypto.registered():
                done.append(entry.label.format(count=entry.rewrite(convert=again)))
        if not done:
            self.stdout.write("Nothing is registered as stored encrypted.")
            return
        listed = done[0] if len(done) == 1 else f"{', '.join(done[:-1])} and {done[-1]}"
        self.stdout.write(f"Re-encrypted {listed}.")
