from allauth.account.adapter import DefaultAccountAdapter


class BatonAccountAdapter(DefaultAccountAdapter):
    """No self sign-up: admins invite or import people."""

    def is_open_for_signup(self, request) -> bool:
        return False
