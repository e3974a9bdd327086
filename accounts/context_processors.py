from .verification import is_verified


def second_factor(request):
    """`viewer_owes_mfa`: signed in, but the second factor their role needs is not done yet.
    Pages then show a short notice instead of a menu whose every link would bounce."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"viewer_owes_mfa": False}
    return {"viewer_owes_mfa": not is_verified(request, user)}
