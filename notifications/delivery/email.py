"""Email through Django's backend: plain text + HTML, a stable Message-ID per delivery so a
resend after a crash is recognisable (and dedupable) by the receiving side."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from ..kinds import label
from ..models import Delivery, Notification
from .payload import absolute_url


class NoAddress(Exception):
    """The recipient has no email address: nothing to retry."""


def _domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "baton.local"


def build(delivery: Delivery, items: list[Notification]) -> EmailMultiAlternatives:
    recipient = delivery.recipient
    if not recipient.email:
        raise NoAddress("The person has no email address.")
    digest = delivery.is_digest
    if digest:
        subject = f"[Baton] {len(items)} notification(s) while you were off"
    else:
        n = items[0]
        subject = f"[Baton] {'URGENT: ' if n.urgency == 'urgent' else ''}{n.title}"
    context = {
        "items": [
            {"n": n, "link": absolute_url(n.url), "kind_label": label(n.kind)} for n in items
        ],
        "digest": digest,
        "inbox_link": absolute_url("/notifications/"),
        "settings_link": absolute_url("/notifications/settings/"),
        "name": getattr(getattr(recipient, "profile", None), "display_name", "")
        or recipient.get_username(),
    }
    text = render_to_string("notifications/email/notification.txt", context)
    html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:200],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "Message-ID": f"<{delivery.message_id}@{_domain()}>",
            "X-Baton-Delivery": str(delivery.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send(delivery: Delivery, items: list[Notification]) -> None:
    build(delivery, items).send(fail_silently=False)
