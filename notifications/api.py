"""REST API: /api/v1/notifications/, /api/v1/notification-rules/, /api/v1/notification-mutes/,
/api/v1/webhooks/. Thin: serializers shape input, services write, selectors read."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api import StrictSerializer
from core.audit import Actor
from core.converters import ID_REGEX
from core.pagination import DefaultCursorPagination
from core.permissions import require
from teams.models import Team

from . import kinds as kinds_registry
from . import selectors, services
from .delivery.payload import as_dict
from .models import Channel, DeliveryStatus, Urgency, Webhook

ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class ByIdDescending(DefaultCursorPagination):
    ordering = "-id"


# --- notifications ---------------------------------------------------------------------------


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()

    def to_representation(self, instance):
        return as_dict(instance)


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)
    kind = serializers.CharField(required=False, allow_blank=True, max_length=64)
    after_id = serializers.IntegerField(required=False, min_value=0)


class MarkReadSerializer(StrictSerializer):
    kind = serializers.CharField(required=False, allow_blank=True, max_length=64)


class BellSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    latest = serializers.IntegerField()


class CountSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(
        summary="List my notifications",
        description=(
            "Newest first. `after_id` returns what a reconnecting client missed: every "
            "notification with a larger id, oldest first (at most 200), without paging."
        ),
        parameters=[NotificationQuerySerializer],
        responses=NotificationSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="Get one of my notifications", parameters=[ID], responses=NotificationSerializer
    ),
)
class NotificationViewSet(viewsets.GenericViewSet):
    scope_area = "notifications"
    serializer_class = NotificationSerializer
    pagination_class = ByIdDescending
    filter_backends: list = []
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        require(self.request.user, "notifications.use_inbox")
        return selectors.inbox(person=self.request.user)

    def get_object(self):
        notification = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if notification is None:
            raise NotFound("You have no notification with this id.")
        return notification

    def list(self, request):
        require(request.user, "notifications.use_inbox")
        params = NotificationQuerySerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if "after_id" in data:
            items = selectors.after_id(person=request.user, last_id=data["after_id"])
            return Response(
                {"next": None, "previous": None, "results": [as_dict(n) for n in items]}
            )
        qs = selectors.inbox(
            person=request.user, unread=data["unread"], kind=data.get("kind") or None
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([as_dict(n) for n in page])

    def retrieve(self, request, pk=None):
        return Response(as_dict(self.get_object()))

    @extend_schema(
        summary="Mark one read", request=None, parameters=[ID], responses=NotificationSerializer
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(
            actor=Actor.from_request(request),
            person=request.user,
            notification_ids=[notification.pk],
        )
        return Response(as_dict(self.get_object()))

    @extend_schema(
        summary="Mark one unread", request=None, parameters=[ID], responses=NotificationSerializer
    )
    @action(detail=True, methods=["post"])
    def unread(self, request, pk=None):
        notification = self.get_object()
        services.mark_unread(
            actor=Actor.from_request(request),
            person=request.user,
            notification_ids=[notification.pk],
        )
        return Response(as_dict(self.get_object()))

    @extend_schema(
        summary="Mark all read (optionally one kind)",
        request=MarkReadSerializer,
        responses=CountSerializer,
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        require(request.user, "notifications.use_inbox")
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.mark_all_read(
            actor=Actor.from_request(request),
            person=request.user,
            kind=data.validated_data.get("kind") or None,
        )
        return Response({"updated": count})

    @extend_schema(summary="Unread count and newest id (the bell)", responses=BellSerializer)
    @action(detail=False, methods=["get"])
    def bell(self, request):
        require(request.user, "notifications.use_inbox")
        return Response(selectors.bell(person=request.user))


# --- rules and mutes -------------------------------------------------------------------------


class RuleSerializer(StrictSerializer):
    # A plain string, so an unknown channel gets the service's message listing the channels.
    channel = serializers.CharField(max_length=32)
    normal = serializers.BooleanField()
    urgent = serializers.BooleanField()


class RuleOutSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    label = serializers.CharField()
    normal = serializers.BooleanField()
    urgent = serializers.BooleanField()
    is_default = serializers.BooleanField()


@extend_schema(tags=["notifications"])
class NotificationRuleViewSet(viewsets.ViewSet):
    """Which channels I get for normal and for urgent notifications (one rule per channel)."""

    scope_area = "notifications"

    @extend_schema(summary="My rules, one per channel", responses=RuleOutSerializer(many=True))
    def list(self, request):
        require(request.user, "notifications.use_inbox")
        return Response(selectors.effective_rules(person=request.user))

    @extend_schema(
        summary="Set the rule for one channel",
        request=RuleSerializer,
        responses={200: RuleOutSerializer(many=True)},
    )
    def create(self, request):
        require(request.user, "notifications.use_inbox")
        data = RuleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rule_set(
            actor=Actor.from_request(request), person=request.user, **data.validated_data
        )
        return Response(selectors.effective_rules(person=request.user))


class MutableKindField(serializers.ChoiceField):
    """A kind that may be muted. The choices are read from the registry each time a serializer
    is made (DRF re-creates declared fields per instance), so the schema's enum and the check
    follow what the apps registered."""

    def __init__(self, **kwargs):
        super().__init__(choices=kinds_registry.mutable_choices(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > kinds_registry.MAX_KIND_LENGTH:
            raise serializers.ValidationError(
                "Give a notification kind, such as 'oncall.shift_starting'; "
                "GET /api/v1/notification-mutes/kinds/ lists them."
            )
        # The registry's rule says why a kind is refused (unknown, or never mutable).
        return kinds_registry.clean_mutable_kind(data)


class MuteSerializer(StrictSerializer):
    kind = MutableKindField()


class MuteOutSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_label(self, mute) -> str:
        return kinds_registry.label(mute.kind)


class KindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    mutable = serializers.BooleanField(help_text="False for kinds whose urgent ones always come.")


@extend_schema(tags=["notifications"])
class NotificationMuteViewSet(viewsets.ViewSet):
    """Kinds of notification I do not want to hear about (urgent ones of an unmutable kind,
    such as escalation pages, come anyway)."""

    scope_area = "notifications"
    lookup_field = "kind"
    lookup_value_regex = r"[a-z0-9_.]+"

    @extend_schema(summary="My muted kinds", responses=MuteOutSerializer(many=True))
    def list(self, request):
        require(request.user, "notifications.use_inbox")
        return Response(MuteOutSerializer(selectors.mutes(person=request.user), many=True).data)

    @extend_schema(summary="Mute a kind", request=MuteSerializer, responses=MuteOutSerializer)
    def create(self, request):
        require(request.user, "notifications.use_inbox")
        data = MuteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mute = services.mute_add(
            actor=Actor.from_request(request), person=request.user, **data.validated_data
        )
        return Response(MuteOutSerializer(mute).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The notification kinds there are, with their labels",
        description="Each app registers the kinds it sends; `mutable` says whether POST "
        "/api/v1/notification-mutes/ accepts it.",
        responses=KindSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def kinds(self, request):
        require(request.user, "notifications.use_inbox")
        return Response(
            [
                {"kind": k.kind, "label": k.label, "mutable": not k.unmutable}
                for k in sorted(kinds_registry.KINDS.values(), key=lambda k: k.label.lower())
            ]
        )

    @extend_schema(
        summary="Unmute a kind",
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={204: None},
    )
    def destroy(self, request, kind=None):
        require(request.user, "notifications.use_inbox")
        if not services.mute_remove(
            actor=Actor.from_request(request), person=request.user, kind=kind
        ):
            raise NotFound("This kind is not muted.")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- webhooks --------------------------------------------------------------------------------


class WebhookSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="team_id", allow_null=True)
    owner = serializers.IntegerField(source="owner_id")

    class Meta:
        model = Webhook
        fields = [
            "id",
            "name",
            "url",
            "team",
            "owner",
            "urgent_only",
            "active",
            "consecutive_failures",
            "disabled_reason",
            "created_at",
        ]


class WebhookCreatedSerializer(WebhookSerializer):
    """Returned by create and rotate-secret: the only responses that carry the secret."""

    secret = serializers.CharField(source="signing_secret", read_only=True)

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    # A plain string: the service explains what is wrong with a URL (scheme, host, address).
    url = serializers.CharField(max_length=600)
    team = serializers.IntegerField(required=False, allow_null=True)
    urgent_only = serializers.BooleanField(required=False, default=False)


class WebhookUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    url = serializers.CharField(max_length=600, required=False)
    urgent_only = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    notification = serializers.IntegerField(source="notification_id", allow_null=True)
    is_digest = serializers.BooleanField()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    response_status = serializers.IntegerField(allow_null=True)
    response_body = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(summary="Webhooks I manage", responses=WebhookSerializer(many=True)),
    retrieve=extend_schema(summary="Get a webhook", parameters=[ID], responses=WebhookSerializer),
    create=extend_schema(
        summary="Add a webhook (the response carries its signing secret)",
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer},
    ),
    partial_update=extend_schema(
        summary="Change or re-enable a webhook",
        parameters=[ID],
        request=WebhookUpdateSerializer,
        responses=WebhookSerializer,
    ),
    destroy=extend_schema(summary="Delete a webhook", parameters=[ID], responses={204: None}),
)
class WebhookViewSet(viewsets.GenericViewSet):
    scope_area = "notifications"
    serializer_class = WebhookSerializer
    pagination_class = None
    filter_backends: list = []
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        require(self.request.user, "notifications.use_inbox")
        return selectors.webhooks_for(person=self.request.user)

    def get_object(self):
        hook = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if hook is None:
            raise NotFound("You manage no webhook with this id.")
        require(self.request.user, "notifications.manage_webhook", hook)
        return hook

    def list(self, request):
        return Response(WebhookSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(WebhookSerializer(self.get_object()).data)

    def create(self, request):
        require(request.user, "notifications.use_inbox")
        data = WebhookCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team = None
        team_id = values.pop("team", None)
        if team_id is not None:
            team = Team.objects.filter(pk=team_id).first()
            if team is None:
                raise serializers.ValidationError({"team": "There is no team with this id."})
        hook = services.webhook_create(
            actor=Actor.from_request(request), owner=request.user, team=team, **values
        )
        return Response(WebhookCreatedSerializer(hook).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        hook = self.get_object()
        data = WebhookUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hook = services.webhook_update(
            actor=Actor.from_request(request), webhook=hook, **data.validated_data
        )
        return Response(WebhookSerializer(hook).data)

    def destroy(self, request, pk=None):
        services.webhook_delete(actor=Actor.from_request(request), webhook=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Show a new signing secret (the old one stops working)",
        request=None,
        parameters=[ID],
        responses=WebhookCreatedSerializer,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        hook = services.webhook_rotate_secret(
            actor=Actor.from_request(request), webhook=self.get_object()
        )
        return Response(WebhookCreatedSerializer(hook).data)

    @extend_schema(summary="Send a test POST", request=None, parameters=[ID], responses={202: None})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        services.webhook_test(actor=Actor.from_request(request), webhook=self.get_object())
        return Response(status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The last 20 deliveries and the endpoint's responses",
        parameters=[ID],
        responses=DeliverySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        items = selectors.recent_deliveries(webhook=self.get_object())
        return Response(DeliverySerializer(items, many=True).data)
