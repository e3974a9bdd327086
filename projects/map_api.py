"""REST API of the ownership map: `GET /api/v1/ownership-map/` (the map's data, filtered as
the map page and its table are) and `GET /api/v1/ownership-map/sun/` (the sun map's bands).

Managers and admins get every team; everyone else the teams they belong to (an API token acts
for its person, with the `projects:read` scope). Query parameters are checked by strict-typed
serializers (a bad value is a 400 naming it). The answers are built as plain values by
projects.map_presenters for speed (3,000 projects in one answer) and documented by the output
serializers below, which tests/projects/test_map_api.py holds to the same JSON.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import MAX_ID, valid
from core.permissions import require
from core.zones import is_valid_zone

from . import map_presenters as present
from . import ownership
from .models import Health, ProjectStatus

# --- query parameters -------------------------------------------------------------------------


def clean_country(value: str) -> str:
    """An ISO 3166 alpha-2 code Baton knows (any case), upper-cased; blank for no filter."""
    import pytz

    code = (value or "").strip().upper()
    if code and code not in pytz.country_names:
        raise serializers.ValidationError(
            "Not a country code Baton knows: use two letters, e.g. NZ or BR."
        )
    return code


def _team_param(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=help_text
    )


class MapQuerySerializer(serializers.Serializer):
    """Query parameters of GET /api/v1/ownership-map/ (and of the map pages)."""

    team = _team_param("A team id.")
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2,
        help_text="The accountable person's country, ISO 3166 alpha-2 (e.g. NZ).",
    )
    health = serializers.ChoiceField(
        choices=ownership.HEALTH_FILTERS,
        required=False,
        allow_blank=True,
        help_text="The latest update's health; `none`: no update yet.",
    )

    def validate_country(self, value: str) -> str:
        return clean_country(value)


def map_filters(query: dict) -> ownership.MapFilters:
    """MapQuerySerializer's validated data as the filters ownership.map_data takes."""
    return ownership.MapFilters(
        team=query.get("team"), country=query.get("country", ""), health=query.get("health", "")
    )


class SunQuerySerializer(serializers.Serializer):
    team = _team_param("Only this team.")
    tz = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="The zone whose local today the bands cover (default: yours).",
    )

    def validate_tz(self, value: str) -> str:
        if value and not is_valid_zone(value):
            raise serializers.ValidationError(
                "Not a time zone: use an IANA name such as Asia/Manila."
            )
        return value


# --- output serializers (the schema; the JSON is built by map_presenters) ----------------------


class ProjectRowSerializer(serializers.Serializer):
    """What each value of a `projects` row means (the row is a list, in this order)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    team = serializers.IntegerField(help_text="Team id (see `teams`).")
    owner = serializers.IntegerField(help_text="Person id (see `people`).")
    backup_owner = serializers.IntegerField(allow_null=True)
    acting_owner = serializers.IntegerField(
        allow_null=True, help_text="Accountable instead of the owner until `acting_until`."
    )
    acting_until = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=ProjectStatus.choices)
    priority = serializers.IntegerField(help_text="0 none, 1 urgent, 2 high, 3 medium, 4 low.")
    critical = serializers.BooleanField()
    health = serializers.ChoiceField(
        choices=[*Health.choices, ("", "No update yet")], help_text="Blank: no update yet."
    )
    orphaned = serializers.BooleanField(help_text="The accountable person has left.")
    stale = serializers.BooleanField(help_text="No update for N of the owner's working days.")
    last_update_at = serializers.DateTimeField(allow_null=True)
    update_due_on = serializers.DateField(allow_null=True, help_text="The owner's local date.")
    target_date = serializers.DateField(allow_null=True)


def _columns_help() -> str:
    """'id (integer); name (string); team (integer): Team id (see `teams`); ...'."""
    parts = []
    for name, field in ProjectRowSerializer().fields.items():
        kind = {
            serializers.IntegerField: "integer",
            serializers.BooleanField: "boolean",
            serializers.DateTimeField: "UTC instant",
            serializers.DateField: "date",
        }.get(type(field), "string")
        null = " or null" if field.allow_null else ""
        text = f"{name} ({kind}{null})"
        if field.help_text:
            text += f": {field.help_text}"
        parts.append(text)
    return "; ".join(parts) + "."


class MapTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    projects = serializers.IntegerField(help_text="How many of `projects` are this team's.")


class MapPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    country = serializers.CharField()
    time_zone = serializers.CharField()
    active = serializers.BooleanField(help_text="False: the person has left.")


class MapFiltersSerializer(serializers.Serializer):
    team = serializers.IntegerField(allow_null=True)
    country = serializers.CharField()
    health = serializers.CharField()


class MapSummarySerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    on_track = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    off_track = serializers.IntegerField()
    no_update = serializers.IntegerField()
    orphaned = serializers.IntegerField()
    stale = serializers.IntegerField()
    critical = serializers.IntegerField()
    teams = serializers.IntegerField()
    owners = serializers.IntegerField()


class OverloadedOwnerSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    critical_projects = serializers.IntegerField()
    projects = serializers.ListField(child=serializers.IntegerField())


class ConcentratedTeamSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    person = serializers.IntegerField(help_text="Who owns most of the team's critical projects.")
    critical_projects = serializers.IntegerField(help_text="How many of them that person owns.")
    team_critical = serializers.IntegerField(help_text="The team's open critical projects.")


class MapFindingsSerializer(serializers.Serializer):
    overload_threshold = serializers.IntegerField(
        help_text="Owning more than this many open critical projects is overload."
    )
    overloaded_owners = OverloadedOwnerSerializer(many=True)
    concentrated_teams = ConcentratedTeamSerializer(
        many=True, help_text="Teams where one person owns most critical projects."
    )
    no_hour_apart = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=(
            "Projects whose backup owner works no hour of the week (UTC) that the owner does "
            "not: nobody can act for them while the owner is off."
        ),
    )


class OwnershipMapSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=[("org", "Every team"), ("my_teams", "The caller's teams")]
    )
    generated_at = serializers.DateTimeField()
    filters = MapFiltersSerializer()
    summary = MapSummarySerializer()
    teams = MapTeamSerializer(many=True)
    people = MapPersonSerializer(many=True)
    project_columns = serializers.ListField(
        child=serializers.ChoiceField(choices=list(present.API_PROJECT_KEYS)),
        help_text="The name of each value in a row of `projects`, in order.",
    )
    projects = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text=(
            "One row a project (by id), its values in the order of "
            "`project_columns`: " + _columns_help()
        ),
    )
    findings = MapFindingsSerializer()


class SunHourSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    local_start = serializers.CharField(help_text="The hour's start in `time_zone`, ISO 8601.")


class SunTeamHourSerializer(serializers.Serializer):
    owners = serializers.IntegerField(help_text="Accountable owners working then.")
    backups = serializers.IntegerField(help_text="Backup owners working then.")
    oncall = serializers.IntegerField(help_text="People on call on the team's schedules.")
    people = serializers.IntegerField(help_text="Everyone who can act (each person once).")


class SunTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    owners = serializers.IntegerField()
    backups = serializers.IntegerField()
    schedules = serializers.IntegerField()
    gap_hours = serializers.IntegerField(help_text="Hours of the day in which nobody can act.")
    hours = SunTeamHourSerializer(many=True)


class SunMapSerializer(serializers.Serializer):
    day = serializers.DateField()
    time_zone = serializers.CharField()
    hours = SunHourSerializer(many=True)
    teams = SunTeamSerializer(many=True)


# --- views ------------------------------------------------------------------------------------


class ReleasingResponse(Response):
    """A DRF Response that lets go of its data once it is written. A DRF view and its response
    refer to each other (view.response, response.renderer_context["view"]), and the view has
    lived through the request's garbage collections (a young one every 700 allocations), so
    they are freed only by a full collection: the map's rows and people (at 30,000 projects,
    half a million objects) stayed in memory until the next one, each request's on top of the
    last's, and that collection (a tenth of a second) fell on whichever request ran then."""

    def render(self):
        response = super().render()
        self.data = None
        return response


class OwnershipMapView(APIView):
    scope_area = "projects"

    @extend_schema(
        tags=["projects"],
        summary="The ownership map: who owns what, orphaned, stale, overloaded",
        description=(
            "Every open project (planned, active, paused) of the teams you may see (managers "
            "and admins: every team; others: their own teams), filtered by team, country and "
            "health, with the people and teams it names and the findings of owner load and "
            "bus factor. Not paginated: the map is one picture."
        ),
        parameters=[MapQuerySerializer],
        responses=OwnershipMapSerializer,
        operation_id="ownership_map",
    )
    def get(self, request):
        require(request.user, "projects.view_map")
        query = valid(MapQuerySerializer, request.query_params)
        data = ownership.map_data(request.user, map_filters(query))
        return ReleasingResponse(present.api_payload(data))


class SunMapView(APIView):
    scope_area = "projects"

    @extend_schema(
        tags=["projects"],
        summary="The sun map: who can act for each team in each hour of today",
        description=(
            "For each team you may see, the hours of today in `tz` (default: your zone) with "
            "how many accountable owners and backup owners are working and how many people "
            "are on call on the team's schedules (their final answer). An hour with nobody "
            "is a gap."
        ),
        parameters=[SunQuerySerializer],
        responses=SunMapSerializer,
        operation_id="ownership_map_sun",
    )
    def get(self, request):
        require(request.user, "projects.view_map")
        query = valid(SunQuerySerializer, request.query_params)
        profile = getattr(request.user, "profile", None)
        zone = query.get("tz") or (profile.time_zone if profile is not None else "UTC")
        sun = ownership.sun_data(request.user, zone_name=zone, team=query.get("team"))
        return ReleasingResponse(present.sun_payload(sun))
