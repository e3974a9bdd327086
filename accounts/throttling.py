"""Rate limits per person and per token (a person's tokens share the person's budget too)."""

from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class PersonRateThrottle(SimpleRateThrottle):
    scope = "person"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
        return None
