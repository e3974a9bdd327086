from django.utils.functional import SimpleLazyObject

from . import selectors


def bell(request):
    """The nav bell's unread count and newest id: one query, only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": SimpleLazyObject(lambda: selectors.bell(person=user))}
