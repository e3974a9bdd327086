"""Celery tasks for people: ids in, re-read, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse


@shared_task(acks_late=True, max_retries=5, default_retry_delay=30)
def send_invitation(user_id: int) -> bool:
    """Email a new person a link to choose their password (allauth's reset-from-key page).

    Idempotent enough: a person who already has a usable password gets nothing.
    """
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password() or not user.email:
        return False
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    link = settings.SITE_URL.rstrip("/") + path
    send_mail(
        subject="You have been invited to Baton",
        message=(
            f"Hello {user.first_name or user.username},\n\n"
            f"An administrator created a Baton account for you (username: {user.username}).\n"
            f"Choose your password here: {link}\n\n"
            "After signing in you may be asked to set up an authenticator app.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True
