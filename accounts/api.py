"""REST API for a person's own API tokens (/api/v1/tokens/), an admin's two-factor reset of
a person (/api/v1/people/{id}/mfa-reset/) and an admin's sign-in unlock of a person
(/api/v1/people/{id}/unlock/).

Tokens and two-factor resets are session only: these views leave `scope_area` unset, so
TokenHasScope refuses any API token (a leaked token must not be able to mint more tokens,
outlive its own revocation, or strip someone's second factor). Unlocking takes people:write:
it only lets the person try their own password again.
"""

from __future__ import annotations

from allauth.account.internal.flows.reauthentication import is_reauthentication_required
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import valid
from core.audit import Actor
from core.converters import ID_REGEX

from . import selectors
from .models import ApiToken
from .scopes import SCOPES
from .services import (
    MAX_TOKEN_DAYS,
    api_token_create,
    api_token_revoke,
    mfa_reset,
    signin_unlock,
)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Tells drf-spectacular how BearerTokenAuthentication appears in the schema."""

    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


def _require_recent_reauthentication(request, doing: str) -> None:
    if is_reauthentication_required(request._request, app=""):
        raise PermissionDenied(
            "Re-authenticate first (POST your password at /accounts/reauthenticate/), "
            f"then {doing} within 5 minutes."
        )


class ApiTokenSerializer(serializers.ModelSerializer):
    is_usable = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_usable",
        ]
        read_only_fields = fields

    def get_is_usable(self, token: ApiToken) -> bool:
        return token.is_usable(self.context["now"])


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="The secret. Shown in this response only; store it now."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.CharField(max_length=32),
        allow_empty=False,
        help_text=f"Any of: {', '.join(SCOPES)}.",
    )
    days = serializers.IntegerField(
        required=False, default=90, help_text=f"Lifetime, 1 to {MAX_TOKEN_DAYS} days."
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: "Unknown field; it cannot be set here." for name in unknown}
                )
        return super().to_internal_value(data)


TOKEN_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Token id.")


@extend_schema(tags=["tokens"])
@extend_schema_view(
    list=extend_schema(summary="List your API tokens (never their secrets)"),
    retrieve=extend_schema(summary="Get one of your API tokens", parameters=[TOKEN_ID]),
    create=extend_schema(
        summary="Create an API token; the secret is in this response only",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    ),
)
class ApiTokenViewSet(viewsets.GenericViewSet):
    # No scope_area on purpose: API tokens are refused here (see the module docstring).
    serializer_class = ApiTokenSerializer
    filter_backends: list = []
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        # Only the caller's own tokens: another person's token id is a 404, not a 403.
        return selectors.api_tokens(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_object(self):
        token = selectors.api_token_of(user=self.request.user, pk=int(self.kwargs["pk"]))
        if token is None:
            raise NotFound("You have no token with this id.")
        return token

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        # Minting a credential needs a recent password/MFA check, as on the tokens page.
        _require_recent_reauthentication(request, "create the token")
        data = valid(ApiTokenCreateSerializer, request.data)
        token, raw = api_token_create(actor=Actor.from_request(request), user=request.user, **data)
        body = ApiTokenCreatedSerializer(token, context=self.get_serializer_context()).data
        body["token"] = raw
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke one of your API tokens", parameters=[TOKEN_ID], request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = api_token_revoke(actor=Actor.from_request(request), token=self.get_object())
        return Response(self.get_serializer(token).data)


def _person_allowed(request, pk: int, perm: str):
    return selectors.person_allowed(
        request.user, pk, perm, missing="There is no person with this id."
    )


def _person_action_schema(*, summary: str, description: str, responses):
    """The documentation of a POST on /api/v1/people/{id}/<action>/: no body, with people."""
    return extend_schema(
        summary=summary,
        description=description,
        request=None,
        responses=responses,
        tags=["people"],
    )


class MfaResetSerializer(serializers.Serializer):
    removed = serializers.IntegerField(
        help_text="Second factors removed (0: the person had none; nothing was changed)."
    )


class PersonMfaResetView(APIView):
    # No scope_area on purpose: session only (see the module docstring).

    @_person_action_schema(
        summary="Reset a person's two-factor authentication (admins; lost authenticator)",
        description=(
            "Removes the person's authenticator app, recovery codes and security keys, ends "
            "all their sessions and notifies them. Needs a session re-authenticated within "
            "5 minutes; API tokens are refused."
        ),
        responses=MfaResetSerializer,
    )
    def post(self, request, pk: int):
        person = _person_allowed(request, pk, "teams.reset_mfa")
        _require_recent_reauthentication(request, "reset it")
        removed = mfa_reset(actor=Actor.from_request(request), person=person)
        return Response({"removed": removed})


class SigninUnlockSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="The person's id.")
    attempts = serializers.IntegerField(
        help_text="Failed sign-in records cleared (one per address the person failed from)."
    )


class PersonSigninUnlockView(APIView):
    scope_area = "people"  # POST: people:write

    @_person_action_schema(
        summary="Let a person locked out of sign-in try again (admins)",
        description=(
            "Too many wrong passwords lock a person out of sign-in for a while. This clears "
            "their failed sign-ins from every address, so they can sign in straight away; "
            "audited. A 400 when there are none to clear."
        ),
        responses=SigninUnlockSerializer,
    )
    def post(self, request, pk: int):
        person = _person_allowed(request, pk, "teams.unlock_signin")
        attempts = signin_unlock(actor=Actor.from_request(request), person=person)
        return Response({"person": person.pk, "attempts": attempts})
