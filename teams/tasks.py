"""Celery tasks for people: ids in, re-read, idempotent. Services start them with
core.tasks.enqueue_on_commit."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse

from core.links import absolute_url


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
    link = absolute_url(path)
    send_mail(
        subject="You have been invited to Baton",
        message=(
            f"Hello {user.first_name or user.username},\n\n"
            "You have been invited to Baton, where your company keeps who owns what, who is\n"
            "on call and the notes each shift leaves for the next.\n\n"
            f"Your username: {user.username}\n"
            f"Choose your password here: {link}\n\n"
            "The link works once and expires in a few days; ask an administrator to resend\n"
            "it if it has. After choosing a password you are signed in; if your role needs\n"
            "two-factor authentication, Baton then helps you set up an authenticator app.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True
