"""Personal API tokens. The secret is shown once and only its SHA-256 is stored."""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # First characters of the token, to recognise it in lists; not secret.
    prefix = models.CharField(max_length=16)
    # SHA-256 hex of the whole token: tokens are 256-bit random, so a fast hash is enough.
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ScrapeToken(models.Model):
    """A credential for Prometheus to read /metrics. Not a person's: it opens nothing else.
    Shown once; only its SHA-256 is stored; revoked rows stay for the audit trail."""

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=24)  # to recognise it in lists; not secret
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "metrics scrape token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
