"""Webhook signing secrets are encrypted at rest (accounts/crypto.py): a wider column, and the
secrets stored in clear until now encrypted (decrypted again on the way back)."""

from django.db import migrations, models

from core import crypto


def encrypt_secrets(apps, schema_editor):
    Webhook = apps.get_model("notifications", "Webhook")
    for hook in Webhook.objects.all():
        if not crypto.is_encrypted(hook.secret):
            hook.secret = crypto.encrypt(hook.secret)
            hook.save(update_fields=["secret"])


def decrypt_secrets(apps, schema_editor):
    Webhook = apps.get_model("notifications", "Webhook")
    for hook in Webhook.objects.all():
        hook.secret = crypto.decrypt(hook.secret)
        hook.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="webhook", name="secret", field=models.CharField(max_length=255)
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
