"""Rate limits per person and per token (a person's tokens share the person's budget too),
and a limit on failed token authentications per client address."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
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


log = logging.getLogger(__name__)


class TokenFailureLimit:
    """Failed Bearer authentications per client address, in fixed windows.

    Authentication runs before DRF's throttles, and a wrong token is refused there, so
    without this anyone could guess tokens as fast as the server answers. Over the limit
    (API_TOKEN_FAILURES, e.g. "30/min") every Bearer request from that address gets a 429
    until the window ends, a right token too: a guesser cannot tell a hit from a miss. A
    cache outage must not turn a 401 into a 500, so it fails open (and logs)."""

    def __init__(self) -> None:
        self.limit, self.window = SimpleRateThrottle.parse_rate(None, settings.API_TOKEN_FAILURES)

    def _key(self, ip: str) -> str:
        return f"auth-fail:{int(time.time() // self.window)}:{ip}"

    def wait(self, ip: str) -> int | None:
        """Seconds until `ip` may try again, or None when it may try now."""
        try:
            failures = cache.get(self._key(ip), 0)
        except Exception:  # noqa: BLE001 - see the class docstring
            log.warning("token failure limit: cache unavailable", exc_info=True)
            return None
        if failures < self.limit:
            return None
        return max(1, int(self.window - time.time() % self.window))

    def record(self, ip: str) -> None:
        key = self._key(ip)
        try:
            if not cache.add(key, 1, timeout=self.window + 1):
                cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=self.window + 1)  # expired between add and incr
        except Exception:  # noqa: BLE001 - see the class docstring
            log.warning("token failure limit: cache unavailable", exc_info=True)
