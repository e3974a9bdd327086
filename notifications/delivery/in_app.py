"""In-app: the row is already in the inbox; push it to the person's open sockets."""

from __future__ import annotations

from core.realtime import send_to_user

from ..models import Delivery, Notification
from .payload import as_dict


def send(delivery: Delivery) -> None:
    notification: Notification = delivery.notification
    unread = Notification.objects.filter(
        recipient_id=delivery.recipient_id, read_at__isnull=True
    ).count()
    send_to_user(
        delivery.recipient_id,
        {
            "type": "event.forward",
            "payload": {
                "type": "notification",
                "notification": as_dict(notification),
                "unread_count": unread,
            },
        },
    )
