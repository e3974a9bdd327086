"""REST API for escalations: urgent updates (raise, list, read with their escalation,
acknowledge, resolve, cancel), escalation policies, a team's integration keys, and the inbound
webhook monitoring systems raise updates with.

Thin, as every Baton API (projects/api.py is the model): a strict input serializer
(escalations/serializers.py) checks the shape and JSON types of a body or query string, then
one service writes (validating every value; a ValidationError becomes a 400 naming the field)
or one selector reads. Every answer is rendered by the output serializer its @extend_schema
documents. Token scope area: "escalations".

Permissions are escalations/permissions.py's rules, object by object. An update the caller may
not read answers 404 (no IDOR), as does a key of a team they do not lead; an update, team,
project or policy they may read but not act on answers 403. Where the object of the permission
is named in the body (raise an update, set a policy), the body's shape and that object are
checked first (a 400: unknown project or team), then the permission (403), then the values
(400, by the service).

The inbound endpoint (POST /api/v1/integrations/{key}/updates/) takes no session or token:
the key in the path is the credential. An unknown or revoked key is a plain 404; every
request is rate-limited per key and per client address, and failed keys per address (as
failed API tokens are, accounts.throttling), so keys cannot be guessed at speed.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.exceptions import NotFound, ParseError, Throttled
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.throttling import TokenFailureLimit
from core.api import paged, valid
from core.audit import Actor, client_ip
from core.pagination import DefaultCursorPagination
from core.parsers import RequestTooLarge, StrictJSONParser, loads_limited
from core.permissions import found_or_404, require

from . import selectors, services, validation
from . import serializers as s
from .models import RaisedVia, UrgentUpdate


class EscalationsView(APIView):
    scope_area = "escalations"


class NewestFirstPagination(DefaultCursorPagination):
    ordering = "-id"


def _actor(request) -> Actor:
    return Actor.from_request(request)


# --- urgent updates ---------------------------------------------------------------------------


def _update_for(request, update_id: int, perm: str = "") -> UrgentUpdate:
    """The update (404 when the caller may not read it), and 403 unless they have `perm`."""
    update = found_or_404(selectors.update_for_page(update_id), "urgent update")
    if not request.user.has_perm("escalations.view_update", update):
        found_or_404(None, "urgent update")  # not yours to see: as if it did not exist
    if perm:
        require(request.user, perm, update)
    return update


def _detail_answer(
    update: UrgentUpdate, code: int = status.HTTP_200_OK, *, reread: bool = True
) -> Response:
    """The update with its escalation; re-read (people joined) after a write changed it."""
    fresh = selectors.update_for_page(update.pk) if reread else update
    steps, entries = selectors.steps_and_timeline(fresh)
    body = s.UrgentUpdateDetailSerializer(s.with_escalation(fresh, steps, entries)).data
    return Response(body, status=code)


def _target_of(data: dict):
    """The project (else team) a body names, for the permission check: a 400 naming the field
    when it names nothing (the service checks that both agree when both are given)."""
    if data.get("project") is not None:
        project = selectors.project_by_id(data["project"])
        if project is None:
            raise drf_serializers.ValidationError({"project": [validation.NO_PROJECT]})
        return project
    if data.get("team") is not None:
        team = selectors.team_by_id(data["team"])
        if team is None:
            raise drf_serializers.ValidationError({"team": [validation.NO_TEAM]})
        return team
    raise drf_serializers.ValidationError({"team": [validation.TEAM_OR_PROJECT]})


class UrgentUpdateListView(EscalationsView):
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="Urgent updates I may read, newest first (my teams', those I was paged for; "
        "every one for managers and admins)",
        parameters=[s.UrgentUpdateQuerySerializer],
        responses=s.UrgentUpdateSerializer(many=True),
        operation_id="urgent_updates_list",
    )
    def get(self, request):
        query = valid(s.UrgentUpdateQuerySerializer, request.query_params)
        updates = selectors.updates_visible_to(
            request.user, team_id=query.get("team"), state=query.get("state", "")
        )
        return paged(self, updates, s.UrgentUpdateSerializer)

    @extend_schema(
        summary="Raise an urgent update on a project or a team (its members); the escalation "
        "starts at once",
        request=s.UrgentUpdateRaiseSerializer,
        responses={201: s.UrgentUpdateDetailSerializer},
    )
    def post(self, request):
        data = valid(s.UrgentUpdateRaiseSerializer, request.data)
        require(request.user, "escalations.raise_update", _target_of(data))
        token = request.auth if isinstance(request.auth, ApiToken) else None
        update = services.update_raise(
            actor=_actor(request),
            raised_via=RaisedVia.TOKEN if token else RaisedVia.PERSON,
            raised_by_label=f"API token {token.name}"[:120] if token else "",
            **data,
        )
        return _detail_answer(update, status.HTTP_201_CREATED)


class UrgentUpdateDetailView(EscalationsView):
    @extend_schema(
        summary="An urgent update: its state, its steps (due, fired, who was paged or skipped "
        "and why) and its timeline",
        responses=s.UrgentUpdateDetailSerializer,
    )
    def get(self, request, update_id: int):
        return _detail_answer(_update_for(request, update_id), reread=False)


class UrgentUpdateActionView(EscalationsView):
    # POST an action on an update: `perm` checked on it, then `service`(update=, note=).
    # (A comment: a docstring would be the schema's description of each action.)

    perm = ""
    service = None

    def post(self, request, update_id: int):
        update = _update_for(request, update_id, self.perm)
        data = valid(s.NoteSerializer, request.data)
        update = self.service(actor=_actor(request), update=update, **data)
        return _detail_answer(update)


_ACTION = {"request": s.NoteSerializer, "responses": s.UrgentUpdateDetailSerializer}


@extend_schema(
    summary="Acknowledge: I have it (anyone paged, the team's members); every later step stops",
    **_ACTION,
)
class UrgentUpdateAcknowledgeView(UrgentUpdateActionView):
    perm = "escalations.acknowledge_update"
    service = staticmethod(services.update_acknowledge)


@extend_schema(
    summary="Resolve (anyone paged, the team's members); every later step stops", **_ACTION
)
class UrgentUpdateResolveView(UrgentUpdateActionView):
    perm = "escalations.resolve_update"
    service = staticmethod(services.update_resolve)


@extend_schema(
    summary="Cancel an update raised by mistake (who raised it, the team's leads, admins)",
    **_ACTION,
)
class UrgentUpdateCancelView(UrgentUpdateActionView):
    perm = "escalations.cancel_update"
    service = staticmethod(services.update_cancel)


# --- policies ---------------------------------------------------------------------------------


def _policy_answer(policy, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.PolicySerializer(selectors.policy_for_api(policy.pk)).data, status=code)


class PolicyListView(EscalationsView):
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="Escalation policies (every one, or a team's: its default and its projects' "
        "overrides), newest first",
        parameters=[s.PolicyQuerySerializer],
        responses=s.PolicySerializer(many=True),
        operation_id="escalation_policies_list",
    )
    def get(self, request):
        require(request.user, "escalations.view_policy")
        query = valid(s.PolicyQuerySerializer, request.query_params)
        return paged(
            self, selectors.policies_filtered(team_id=query.get("team")), s.PolicySerializer
        )

    @extend_schema(
        summary="Set the policy of a team (its default) or of a project (an override): "
        "created, or replaced as a whole (team leads, admins)",
        description=(
            "201 when the team or project had no policy of its own, 200 when it was replaced. "
            "Updates raised before keep the copy of the policy they took."
        ),
        request=s.PolicySetSerializer,
        responses={201: s.PolicySerializer, 200: s.PolicySerializer},
    )
    def post(self, request):
        data = valid(s.PolicySetSerializer, request.data)
        target = _target_of(data)
        require(request.user, "escalations.change_policy", target)
        project = target if data.get("project") is not None else None
        had = (
            selectors.project_policy(project.pk)
            if project is not None
            else selectors.team_policy(target.pk)
        )
        policy = services.policy_set(actor=_actor(request), **data)
        code = status.HTTP_200_OK if had is not None else status.HTTP_201_CREATED
        return _policy_answer(policy, code)


class PolicyDetailView(EscalationsView):
    def _policy(self, request, policy_id: int, perm: str = ""):
        policy = found_or_404(selectors.policy_for_api(policy_id), "escalation policy")
        require(request.user, "escalations.view_policy", policy)
        if perm:
            require(request.user, perm, policy)
        return policy

    @extend_schema(summary="An escalation policy", responses=s.PolicySerializer)
    def get(self, request, policy_id: int):
        return Response(s.PolicySerializer(self._policy(request, policy_id)).data)

    @extend_schema(
        summary="Replace the policy's steps, repeat count and name (team leads, admins)",
        request=s.PolicyReplaceSerializer,
        responses=s.PolicySerializer,
    )
    def put(self, request, policy_id: int):
        policy = self._policy(request, policy_id, "escalations.change_policy")
        data = valid(s.PolicyReplaceSerializer, request.data)
        target = {"project": policy.project} if policy.project_id else {"team": policy.team}
        policy = services.policy_set(actor=_actor(request), **target, **data)
        return _policy_answer(policy)

    @extend_schema(
        summary="Delete the policy: a project falls back to its team's, a team to Baton's "
        "default (team leads, admins)",
        responses={204: None},
    )
    def delete(self, request, policy_id: int):
        policy = self._policy(request, policy_id, "escalations.change_policy")
        services.policy_delete(actor=_actor(request), policy=policy)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- integration keys -------------------------------------------------------------------------


def inbound_path(raw_key: str) -> str:
    return reverse("api-integration-inbound", args=[raw_key])


class TeamIntegrationKeysView(EscalationsView):
    pagination_class = NewestFirstPagination

    def _team(self, request, team_id: int):
        team = found_or_404(selectors.team_by_id(team_id), "team")
        require(request.user, "escalations.manage_integration_keys", team)
        return team

    @extend_schema(
        summary="A team's integration keys, live and revoked, newest first (team leads, "
        "admins); never the keys themselves",
        responses=s.IntegrationKeySerializer(many=True),
        operation_id="team_integration_keys_list",
    )
    def get(self, request, team_id: int):
        team = self._team(request, team_id)
        return paged(self, selectors.integration_keys_of_team(team.pk), s.IntegrationKeySerializer)

    @extend_schema(
        summary="Create an integration key (team leads, admins): the answer shows it once",
        description=(
            "A monitoring system POSTs its alerts to `inbound_path` (no other credential). "
            "Baton keeps only the key's hash: copy it now."
        ),
        request=s.IntegrationKeyCreateSerializer,
        responses={201: s.IntegrationKeyCreatedSerializer},
    )
    def post(self, request, team_id: int):
        team = self._team(request, team_id)
        data = valid(s.IntegrationKeyCreateSerializer, request.data)
        key, raw = services.integration_key_create(actor=_actor(request), team=team, **data)
        key = selectors.integration_key_by_id(key.pk)
        key.key, key.inbound_path = raw, inbound_path(raw)
        return Response(s.IntegrationKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)


class IntegrationKeyDetailView(EscalationsView):
    @extend_schema(
        summary="Revoke an integration key (team leads, admins): its next use is a 404",
        responses={204: None},
    )
    def delete(self, request, key_id: int):
        key = found_or_404(selectors.integration_key_by_id(key_id), "integration key")
        if not request.user.has_perm("escalations.manage_integration_keys", key):
            found_or_404(None, "integration key")  # a credential: only its managers see it
        services.integration_key_revoke(actor=_actor(request), key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- inbound ----------------------------------------------------------------------------------


def inbound_max_bytes() -> int:
    """Largest inbound body: an Alertmanager group of a few hundred alerts fits."""
    return int(getattr(settings, "INTEGRATION_MAX_BODY_BYTES", 256 * 1024))


class InboundJSONParser(StrictJSONParser):
    """core's JSON parser (depth and number limits) with the inbound size limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = inbound_max_bytes()
        raw = b"" if stream is None else stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return loads_limited(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class KeyFailureLimit(TokenFailureLimit):
    """Unknown or revoked keys per client address (API_TOKEN_FAILURES, its own counter): over
    it, every inbound request from that address is a 429 until the window ends, a right key
    too, so a guesser cannot tell a hit from a miss."""

    def _key(self, ip: str) -> str:
        return f"integration-fail:{int(time.time() // self.window)}:{ip}"


class _InboundThrottle(SimpleRateThrottle):
    setting = ""
    default = ""

    def get_rate(self):
        return getattr(settings, self.setting, self.default)


class InboundAddressThrottle(_InboundThrottle):
    """Every inbound request per client address (REMOTE_ADDR: X-Forwarded-For is the
    client's to forge, see core.audit.client_ip)."""

    scope = "integration_address"
    setting, default = "INTEGRATION_RATE_PER_ADDRESS", "600/min"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "-"}


class InboundKeyThrottle(_InboundThrottle):
    """Every inbound request per key (by its hash: a raw key never reaches the cache)."""

    scope = "integration_key"
    setting, default = "INTEGRATION_RATE_PER_KEY", "120/min"

    def get_cache_key(self, request, view):
        raw = str(view.kwargs.get("key", ""))[: validation.INTEGRATION_KEY_MAX + 1]
        return self.cache_format % {
            "scope": self.scope,
            "ident": validation.integration_key_hash(raw),
        }


class _DetailSerializer(drf_serializers.Serializer):
    detail = drf_serializers.CharField()


InboundAlertSerializer = PolymorphicProxySerializer(
    component_name="InboundAlert",
    serializers=[s.AlertmanagerWebhookSerializer, s.GenericAlertSerializer],
    resource_type_field_name=None,
)


class InboundView(APIView):
    # The key in the path is the credential: no session or token is read (a Bearer header
    # is ignored), no CSRF applies (no cookie is trusted), and the rules below replace the
    # default person and token throttles.
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [InboundAddressThrottle, InboundKeyThrottle]
    parser_classes = [InboundJSONParser]

    @extend_schema(
        summary="Raise (or repeat, or resolve) an urgent update from a monitoring system",
        description=(
            "No session or token: the integration key in the path is the credential (a team "
            "lead creates it; an unknown or revoked key is a 404). Send an Alertmanager "
            'webhook body (version "4") or a generic one {title, body?, severity?, '
            "dedup_key?, project?}. An alert whose dedup key (Alertmanager: its groupKey) "
            "matches an open or acknowledged update of the team is added to that update's "
            'timeline ("repeated") instead of opening another; an Alertmanager "resolved" '
            "resolves it. Rate-limited per key and per address (429 with Retry-After)."
        ),
        request=InboundAlertSerializer,
        responses={
            201: s.InboundResultSerializer,
            200: s.InboundResultSerializer,
            413: OpenApiResponse(
                _DetailSerializer, description="The body is over the inbound size limit."
            ),
        },
        auth=[],
        operation_id="integrations_updates_create",
    )
    def post(self, request, key: str):
        limit = inbound_max_bytes()
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        ip = client_ip(request) or "unknown"
        failures = KeyFailureLimit()
        wait = failures.wait(ip)
        if wait is not None:
            raise Throttled(wait=wait, detail="Too many unknown keys from this address.")
        found = selectors.live_integration_key(key)
        if found is None:
            failures.record(ip)
            raise NotFound()  # DRF's own "Not found.": nothing that helps a guess
        action, update = services.inbound_receive(
            actor=Actor.from_request(request, via="integration"), key=found, data=request.data
        )
        answer = s.InboundResultSerializer({"action": action, "update": update}).data
        code = status.HTTP_201_CREATED if action == "created" else status.HTTP_200_OK
        return Response(answer, status=code)
