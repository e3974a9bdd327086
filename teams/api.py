"""REST API for people and teams: /api/v1/people/, /api/v1/me/, /api/v1/teams/ (+ members).

Thin on purpose: serializers check the shape of the input, services do every write (and its
audit event), selectors do every read with its joins so lists cost a fixed number of queries.
Object permissions are the rules in teams/permissions.py; token scopes are enforced by
accounts.api_permissions.TokenHasScope through each view's `scope_area`.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from core.api import IdRelatedField, StrictSerializer, paged, valid
from core.audit import Actor
from core.converters import ID_REGEX
from core.pagination import ByIdCursorPagination
from core.permissions import require
from core.zones import country_name

from . import selectors, services, validation
from .models import Clock, Membership, OrgRole, Team, TeamRole
from .permissions import contact_visibility, sees_people_who_left

User = get_user_model()


# Path ids are integers (the routes only match digits); said explicitly for the schema.
PERSON_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Person id."
)
TEAM_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Team id.")


def _sees_people_who_left(request) -> bool:
    # The same rule as the person page (teams.permissions.sees_people_who_left).
    return sees_people_who_left(request.user)


def _utc_offset(local: datetime) -> str:
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def _local_fields(profile, now: datetime) -> dict:
    status_ = selectors.person_local_status(profile, at=now)
    return {
        "local_time": status_.local_time.isoformat(timespec="seconds"),
        "working_now": status_.working,
        "utc_offset": _utc_offset(status_.local_time),
    }


def _rule(field: str, clean=None):
    """A serializer's validate_<name> applying teams.validation's rule for `field`
    (field_rule), so the API answers with the same message as the pages, the services and the
    CSV import. (The fields it validates carry no length limit of their own: DRF's would
    answer first, in its words.)"""
    return staticmethod(validation.field_rule(field, clean))


def _at_most(limit: int) -> str:
    return f"At most {limit} characters."


# --- people ----------------------------------------------------------------------------------


class PersonTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    role = serializers.ChoiceField(choices=TeamRole.choices)


class PersonSerializer(serializers.Serializer):
    """A person as the API shows them. Built by hand in to_representation (fields here are the
    schema): email and phone appear only when the viewer may see contact details."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    country_name = serializers.CharField(read_only=True)
    org_role = serializers.ChoiceField(choices=OrgRole.choices, read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    working_hours = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), read_only=True
    )
    teams = PersonTeamSerializer(many=True, read_only=True)
    local_time = serializers.DateTimeField(
        read_only=True, help_text="Now, in the person's own time zone."
    )
    working_now = serializers.BooleanField(read_only=True)
    utc_offset = serializers.CharField(read_only=True, help_text="e.g. +08:00")
    # Not read-only so the schema marks them optional: they are left out for most viewers.
    email = serializers.EmailField(
        required=False, help_text="Only for the person themself and admins."
    )
    phone = serializers.CharField(
        required=False, help_text="Only for the person themself and admins."
    )

    def to_representation(self, user):
        profile = user.profile
        now = self.context.get("now") or timezone.now()
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": profile.display_name,
            "title": profile.title,
            "time_zone": profile.time_zone,
            "country": profile.country,
            "country_name": country_name(profile.country),
            "org_role": profile.org_role,
            "is_active": user.is_active,
            "working_hours": profile.working_hours,
            "teams": [
                {"id": m.team_id, "name": m.team.name, "slug": m.team.slug, "role": m.role}
                for m in user.memberships.all()
            ],
            **_local_fields(profile, now),
        }
        request = self.context.get("request")
        if request is not None and request.user.has_perm("teams.view_contact", user):
            data["email"] = user.email
            data["phone"] = profile.phone
        return data


def person_list_data(rows: list[dict], *, request, now: datetime) -> list[dict]:
    """PersonSerializer.to_representation for rows from selectors.person_rows/complete_rows."""
    statuses = selectors.LocalStatusCache(now)
    offsets: dict[str, tuple[str, str]] = {}
    can_contact = contact_visibility(request.user)
    data = []
    for row in rows:
        zone = row["time_zone"]
        status_ = statuses.status(zone, row["week_ranges"])
        local = offsets.get(zone)
        if local is None:
            local = offsets[zone] = (
                status_.local_time.isoformat(timespec="seconds"),
                _utc_offset(status_.local_time),
            )
        item = {
            "id": row["id"],
            "username": row["username"],
            "display_name": row["display_name"],
            "title": row["title"],
            "time_zone": zone,
            "country": row["country"],
            "country_name": country_name(row["country"]),
            "org_role": row["org_role"],
            "is_active": row["is_active"],
            "working_hours": row["working_hours"],
            "teams": [
                {"id": m["team_id"], "name": m["name"], "slug": m["slug"], "role": m["role"]}
                for m in row["teams"]
            ],
            "local_time": local[0],
            "working_now": status_.working,
            "utc_offset": local[1],
        }
        if can_contact(row["id"]):  # the teams.view_contact rule, as PersonSerializer asks it
            item["email"] = row["email"]
            item["phone"] = row["phone"]
        data.append(item)
    return data


class PeopleQuerySerializer(serializers.Serializer):
    """Query parameters of GET /api/v1/people/."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="Name, username or title."
    )
    team = serializers.IntegerField(required=False, min_value=1, help_text="Team id.")
    country = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="ISO code, e.g. BR."
    )
    time_zone = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="IANA zone."
    )
    working_now = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true or false."
    )
    include_left = serializers.BooleanField(
        required=False, default=False, help_text="Admins only: include people who left."
    )

    def validate_team(self, value):
        if not Team.objects.filter(pk=value).exists():
            raise serializers.ValidationError(f"There is no team with id {value}.")
        return value

    _country = _rule("country")
    _time_zone = _rule("time_zone")

    def validate_country(self, value):
        return self._country(value) if value else value

    def validate_time_zone(self, value):
        return self._time_zone(value) if value else value


class _PersonRules:
    """validate_<field> for a person's fields: teams.validation's rules (_rule)."""

    validate_username = _rule("username")
    validate_email = _rule("email")
    validate_display_name = _rule("display_name")
    validate_name = _rule("display_name")  # its alias
    validate_title = _rule("title")
    validate_phone = _rule("phone")
    validate_time_zone = _rule("time_zone")
    validate_country = _rule("country")
    validate_working_hours = _rule("working_hours")


class PersonCreateSerializer(_PersonRules, StrictSerializer):
    username = serializers.CharField(help_text=_at_most(validation.USERNAME_MAX))
    email = serializers.CharField(help_text="An e-mail address (stored lower-case).")
    display_name = serializers.CharField(
        required=False, help_text=_at_most(validation.DISPLAY_NAME_MAX)
    )
    name = serializers.CharField(
        required=False, write_only=True, help_text="Alias of display_name."
    )
    time_zone = serializers.CharField(help_text="IANA zone, e.g. Europe/London.")
    country = serializers.CharField(help_text="ISO 3166 code, e.g. GB.")
    working_hours = serializers.JSONField(
        required=False, help_text='e.g. {"mon": ["09:00-17:00"], "sat": []}'
    )
    org_role = serializers.ChoiceField(choices=OrgRole.choices, default=OrgRole.MEMBER)
    title = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_at_most(validation.TITLE_MAX)
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_at_most(validation.PHONE_MAX)
    )

    def validate(self, attrs):
        name = attrs.pop("name", None)
        display_name = attrs.get("display_name")
        if display_name and name and display_name != name:
            raise serializers.ValidationError(
                {"name": "Give display_name or name (its alias), not two different values."}
            )
        if not (display_name or name):
            raise serializers.ValidationError({"display_name": "A display name is required."})
        attrs["display_name"] = display_name or name
        return attrs


class PersonUpdateSerializer(_PersonRules, StrictSerializer):
    display_name = serializers.CharField(
        required=False, help_text=_at_most(validation.DISPLAY_NAME_MAX)
    )
    title = serializers.CharField(
        required=False, allow_blank=True, help_text=_at_most(validation.TITLE_MAX)
    )
    time_zone = serializers.CharField(required=False, help_text="IANA zone, e.g. Europe/London.")
    country = serializers.CharField(required=False, help_text="ISO 3166 code, e.g. GB.")
    phone = serializers.CharField(
        required=False, allow_blank=True, help_text=_at_most(validation.PHONE_MAX)
    )
    working_hours = serializers.JSONField(required=False)
    clock = serializers.ChoiceField(
        choices=Clock.choices, required=False, help_text="How times are written for them."
    )
    org_role = serializers.ChoiceField(
        choices=OrgRole.choices, required=False, help_text="Admins only."
    )


def _apply_person_update(request, person, data: dict) -> None:
    """Profile fields need teams.change_profile, org_role needs teams.change_org_role; the
    service writes both or neither."""
    org_role = data.pop("org_role", None)
    if data:
        require(request.user, "teams.change_profile", person)
    if org_role is not None:
        require(request.user, "teams.change_org_role", person)
    services.person_change(
        actor=Actor.from_request(request), person=person, org_role=org_role, **data
    )


class _PersonContextMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        # One "now" per request, so every row of a list agrees on who is working.
        context["now"] = timezone.now()
        return context


class InvitationSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="The invited person's id.")
    email = serializers.EmailField(help_text="Where the invitation was sent.")


@extend_schema_view(
    list=extend_schema(
        summary="List people",
        parameters=[PeopleQuerySerializer],
        responses=PersonSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="Get a person", parameters=[PERSON_ID], responses=PersonSerializer
    ),
    create=extend_schema(
        summary="Create a person (admins)",
        request=PersonCreateSerializer,
        responses={201: PersonSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a person's profile (self or admin) or org role (admin)",
        parameters=[PERSON_ID],
        request=PersonUpdateSerializer,
        responses=PersonSerializer,
    ),
)
@extend_schema(tags=["people"])
class PersonViewSet(_PersonContextMixin, viewsets.GenericViewSet):
    scope_area = "people"
    serializer_class = PersonSerializer
    pagination_class = ByIdCursorPagination
    filter_backends: list = []  # filters are parsed by PeopleQuerySerializer
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        require(self.request.user, "teams.view_directory")
        query = self.request.query_params.dict()
        filters = {}
        # No filter given (the common case): nothing to validate, the defaults apply.
        if not query.keys().isdisjoint(PeopleQuerySerializer._declared_fields):
            filters = valid(PeopleQuerySerializer, query)
        include_left = filters.get("include_left", False) and _sees_people_who_left(self.request)
        return selectors.people_search(
            q=filters.get("q", ""),
            team=filters.get("team"),
            country=filters.get("country", ""),
            time_zone=filters.get("time_zone", ""),
            working_now=filters.get("working_now"),
            include_left=include_left,
        )

    def get_object(self):
        require(self.request.user, "teams.view_person")
        try:
            person = selectors.person_detail(person_id=int(self.kwargs["pk"]))
        except User.DoesNotExist as exc:
            raise NotFound("There is no person with this id.") from exc
        # People who left are visible to admins only, as in the list.
        if not person.is_active and not _sees_people_who_left(self.request):
            raise NotFound("There is no person with this id.")
        return person

    def list(self, request):
        # Plain dict rows (no model instances) and person_list_data, not PersonSerializer:
        # the same JSON for a list in a fraction of the time. The schema still comes from
        # PersonSerializer (extend_schema above).
        rows = self.paginate_queryset(selectors.person_rows(self.get_queryset()))
        return self.get_paginated_response(
            person_list_data(selectors.complete_rows(rows), request=request, now=timezone.now())
        )

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request):
        require(request.user, "teams.add_person")
        data = valid(PersonCreateSerializer, request.data)
        # A service ValidationError becomes a 400 in core.api_errors.exception_handler.
        user = services.person_create(actor=Actor.from_request(request), **data)
        person = selectors.person_detail(person_id=user.pk)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        person = self.get_object()
        data = valid(PersonUpdateSerializer, request.data)
        _apply_person_update(request, person, data)
        person = selectors.person_detail(person_id=person.pk)
        return Response(self.get_serializer(person).data)

    @extend_schema(
        summary="Deactivate a person (admins): they leave and every session ends",
        parameters=[PERSON_ID],
        request=None,
        responses=PersonSerializer,
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        person = self.get_object()
        require(request.user, "teams.deactivate_person", person)
        services.person_deactivate(actor=Actor.from_request(request), person=person)
        person = selectors.person_detail(person_id=person.pk)
        return Response(self.get_serializer(person).data)

    @extend_schema(
        summary="Send a person their invitation again (admins)",
        description=(
            "E-mails the person a link to choose their password and sign in. Only for people "
            "who have not chosen a password yet; anyone else is refused with a 400 that says "
            "why (they left, they have no e-mail address, or they can already sign in)."
        ),
        parameters=[PERSON_ID],
        request=None,
        responses={202: InvitationSerializer},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        person = self.get_object()
        require(request.user, "teams.invite_person", person)
        services.person_invite(actor=Actor.from_request(request), person=person)
        return Response(
            InvitationSerializer({"person": person.pk, "email": person.email}).data,
            status=status.HTTP_202_ACCEPTED,
        )


@extend_schema(tags=["people"])
class MeView(_PersonContextMixin, GenericAPIView):
    """The caller's own person, contact details included."""

    scope_area = "people"
    serializer_class = PersonSerializer
    filter_backends: list = []

    def _me(self):
        try:
            return selectors.person_detail(person_id=self.request.user.pk)
        except User.DoesNotExist as exc:
            raise NotFound("This account is not a Baton person.") from exc

    @extend_schema(summary="Get yourself", responses=PersonSerializer)
    def get(self, request):
        return Response(self.get_serializer(self._me()).data)

    @extend_schema(
        summary="Change your own profile",
        request=PersonUpdateSerializer,
        responses=PersonSerializer,
    )
    def patch(self, request):
        person = self._me()
        data = valid(PersonUpdateSerializer, request.data)
        _apply_person_update(request, person, data)
        return Response(self.get_serializer(self._me()).data)


# --- teams -----------------------------------------------------------------------------------


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    parent_name = serializers.CharField(
        source="parent.name", read_only=True, allow_null=True, default=None
    )
    description = serializers.CharField(read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class TeamCreateSerializer(StrictSerializer):
    name = serializers.CharField(help_text=_at_most(validation.TEAM_NAME_MAX))
    slug = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Lowercase letters, digits and hyphens; blank or left out: from the name.",
    )
    parent = IdRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")

    validate_name = _rule("name", validation.clean_team_name)
    _slug = _rule("slug", validation.clean_team_slug)

    def validate_slug(self, value):
        return self._slug(value) if value else value


class TeamUpdateSerializer(StrictSerializer):
    name = serializers.CharField(required=False, help_text=_at_most(validation.TEAM_NAME_MAX))
    parent = IdRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)

    validate_name = _rule("name", validation.clean_team_name)


class TeamQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=120)


@extend_schema(tags=["teams"])
@extend_schema_view(
    list=extend_schema(
        summary="List teams",
        parameters=[TeamQuerySerializer],
        responses=TeamSerializer(many=True),
    ),
    retrieve=extend_schema(summary="Get a team", parameters=[TEAM_ID], responses=TeamSerializer),
    create=extend_schema(
        summary="Create a team (admins and managers)",
        request=TeamCreateSerializer,
        responses={201: TeamSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a team (admins and the team's leads)",
        parameters=[TEAM_ID],
        request=TeamUpdateSerializer,
        responses=TeamSerializer,
    ),
    destroy=extend_schema(
        summary="Delete a team (admins)", parameters=[TEAM_ID], responses={204: None}
    ),
)
class TeamViewSet(viewsets.GenericViewSet):
    scope_area = "teams"
    serializer_class = TeamSerializer
    pagination_class = ByIdCursorPagination
    filter_backends: list = []
    lookup_value_regex = ID_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        require(self.request.user, "teams.view_team")
        params = valid(TeamQuerySerializer, self.request.query_params.dict())
        return selectors.team_list(q=params.get("q", ""))

    def get_object(self):
        require(self.request.user, "teams.view_team")
        team = selectors.team_list().filter(pk=int(self.kwargs["pk"])).first()
        if team is None:
            raise NotFound("There is no team with this id.")
        return team

    def list(self, request):
        return paged(self, self.get_queryset(), TeamSerializer)

    def retrieve(self, request, pk=None):
        return Response(TeamSerializer(self.get_object()).data)

    def create(self, request):
        require(request.user, "teams.add_team")
        data = valid(TeamCreateSerializer, request.data)
        team = services.team_create(actor=Actor.from_request(request), **data)
        team = selectors.team_list().get(pk=team.pk)
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        team = self.get_object()
        require(request.user, "teams.change_team", team)
        data = valid(TeamUpdateSerializer, request.data)
        services.team_update(actor=Actor.from_request(request), team=team, **data)
        return Response(TeamSerializer(self.get_object()).data)

    def destroy(self, request, pk=None):
        team = self.get_object()
        require(request.user, "teams.delete_team", team)
        services.team_delete(actor=Actor.from_request(request), team=team)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- team members ----------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    """A membership seen from the team: who, their role, and where they are in the day."""

    person = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=TeamRole.choices, read_only=True)
    time_zone = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    local_time = serializers.DateTimeField(read_only=True)
    working_now = serializers.BooleanField(read_only=True)
    utc_offset = serializers.CharField(read_only=True)
    joined_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, membership):
        person = membership.person
        profile = person.profile
        now = self.context.get("now") or timezone.now()
        return {
            "person": person.pk,
            "username": person.username,
            "display_name": profile.display_name,
            "title": profile.title,
            "role": membership.role,
            "time_zone": profile.time_zone,
            "country": profile.country,
            **_local_fields(profile, now),
            "joined_at": serializers.DateTimeField().to_representation(membership.created_at),
        }


class MemberAddSerializer(StrictSerializer):
    person = IdRelatedField(queryset=User.objects.filter(profile__isnull=False))
    role = serializers.ChoiceField(choices=TeamRole.choices, default=TeamRole.MEMBER)


class MemberRoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=TeamRole.choices)


class _TeamMembersBase(_PersonContextMixin, GenericAPIView):
    scope_area = "teams"
    serializer_class = MemberSerializer
    filter_backends: list = []

    def get_team(self) -> Team:
        require(self.request.user, "teams.view_team")
        team = Team.objects.filter(pk=self.kwargs["team_id"]).first()
        if team is None:
            raise NotFound("There is no team with this id.")
        return team

    def _membership(self, team: Team, person_id: int) -> Membership:
        membership = selectors.team_members(team=team).filter(person_id=person_id).first()
        if membership is None:
            raise NotFound("This person is not a member of the team.")
        return membership


@extend_schema(tags=["teams"])
class TeamMembersView(_TeamMembersBase):
    pagination_class = ByIdCursorPagination

    def get_queryset(self):
        return selectors.team_members(team=self.get_team())

    @extend_schema(summary="List a team's members", responses=MemberSerializer(many=True))
    def get(self, request, team_id: int):
        # Not core.api.paged: get_serializer gives every row the request's one "now".
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Add a person to the team, or change their role (admins and leads)",
        request=MemberAddSerializer,
        responses={200: MemberSerializer, 201: MemberSerializer},
    )
    def post(self, request, team_id: int):
        team = self.get_team()
        require(request.user, "teams.manage_memberships", team)
        data = valid(MemberAddSerializer, request.data)
        person = data["person"]
        existed = Membership.objects.filter(team=team, person=person).exists()
        services.membership_set(
            actor=Actor.from_request(request),
            team=team,
            person=person,
            role=data["role"],
        )
        return Response(
            self.get_serializer(self._membership(team, person.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


@extend_schema(tags=["teams"])
class TeamMemberDetailView(_TeamMembersBase):
    @extend_schema(summary="Get one membership", responses=MemberSerializer)
    def get(self, request, team_id: int, person_id: int):
        membership = self._membership(self.get_team(), person_id)
        return Response(self.get_serializer(membership).data)

    @extend_schema(
        summary="Change a member's role (admins and leads)",
        request=MemberRoleSerializer,
        responses=MemberSerializer,
    )
    def patch(self, request, team_id: int, person_id: int):
        team = self.get_team()
        require(request.user, "teams.manage_memberships", team)
        membership = self._membership(team, person_id)
        data = valid(MemberRoleSerializer, request.data)
        services.membership_set(
            actor=Actor.from_request(request),
            team=team,
            person=membership.person,
            role=data["role"],
        )
        return Response(self.get_serializer(self._membership(team, person_id)).data)

    @extend_schema(
        summary="Remove a person from the team (admins and leads)",
        request=None,
        responses={204: OpenApiResponse(description="Removed.")},
    )
    def delete(self, request, team_id: int, person_id: int):
        team = self.get_team()
        require(request.user, "teams.manage_memberships", team)
        membership = Membership.objects.filter(team=team, person_id=person_id).first()
        if membership is None:
            raise NotFound("This person is not a member of the team.")
        services.membership_remove(
            actor=Actor.from_request(request), team=team, person=membership.person
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
