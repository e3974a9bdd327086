"""REST API for projects: projects, goals, status updates, history, watching, ownership
transfers (one by one and in bulk), acting owners, and a person's projects when they leave.

Thin, as every Baton API: a strict input serializer (projects/serializers.py) checks the shape
and JSON types of a body or query string, then one service writes (validating every value and
raising ValidationError {field: message}, which the exception handler turns into a 400) or one
selector reads. Every answer is rendered by an output serializer, the same one its
@extend_schema documents. Instants in answers are UTC ISO-8601 ending in "Z".

Permissions are projects/permissions.py's rules, checked object by object. Everyone signed in
reads projects; a project the caller may not read answers 404 (no IDOR), one they may read but
not change answers 403 to a write. Two rules hold for admins too: only the accountable person
posts a status update, and only the proposed owner accepts or declines a transfer; those are
checked with the rule itself (core.permissions.require_rule), since Django's has_perm grants a
superuser (Baton's admins are) everything. Token scope area: "projects".
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import paged, valid, valid_in_team
from core.audit import Actor
from core.pagination import ByIdCursorPagination, DefaultCursorPagination
from core.permissions import found_or_404, require, require_rule

from . import selectors, services
from . import serializers as s
from .models import OwnershipTransfer, Project


def _project_for(request, project_id: int, perm: str = "", *, rule_only: bool = False) -> Project:
    """The project (404 when the caller may not see it), and 403 unless the caller has `perm`
    on it (with rule_only, by the rule itself: no superuser shortcut)."""
    project = found_or_404(selectors.project_by_id(project_id), "project")
    if not request.user.has_perm("projects.view_project", project):
        found_or_404(None, "project")  # not yours to see: as if it did not exist
    if perm:
        (require_rule if rule_only else require)(request.user, perm, project)
    return project


def _fresh(project: Project) -> Project:
    """The project as the list reads it (people joined, orphaned and stale computed)."""
    return selectors.project_by_id(project.pk)


def _transfer_for(request, transfer_id: int) -> OwnershipTransfer:
    transfer = found_or_404(selectors.transfer_for_api(transfer_id), "transfer")
    if not request.user.has_perm("projects.view_project", transfer.project):
        found_or_404(None, "transfer")
    return transfer


def _project_answer(project: Project, code: int = status.HTTP_200_OK) -> Response:
    return Response(s.ProjectSerializer(_fresh(project)).data, status=code)


def _transfer_answer(transfer: OwnershipTransfer, code: int = status.HTTP_200_OK) -> Response:
    transfer = selectors.transfer_for_api(transfer.pk)
    return Response(s.TransferSerializer(transfer).data, status=code)


class ProjectsView(APIView):
    scope_area = "projects"

    def write(self, service, body, **targets):
        """The endpoint's one write, once the view found `targets` and checked the permission:
        the request body validated by `body` (a 400), then service(actor, **targets, **body)."""
        data = valid(body, self.request.data)
        return service(actor=Actor.from_request(self.request), **targets, **data)


class NewestFirstPagination(DefaultCursorPagination):
    ordering = "-id"


# --- projects ---------------------------------------------------------------------------------


class ProjectListView(ProjectsView):
    pagination_class = ByIdCursorPagination

    @extend_schema(
        summary="Projects, filtered (everyone signed in reads every project)",
        parameters=[s.ProjectQuerySerializer],
        responses=s.ProjectSerializer(many=True),
        operation_id="projects_list",
    )
    def get(self, request):
        require(request.user, "projects.view_project")
        query = valid(s.ProjectQuerySerializer, request.query_params)
        projects = selectors.projects_filtered(
            q=query.get("q", ""),
            team_id=query.get("team"),
            status=query.get("status", ""),
            health=query.get("health", ""),
            owner_id=query.get("owner"),
            country=query.get("country", "").upper(),
            critical=query.get("critical"),
            orphaned=query.get("orphaned"),
            stale=query.get("stale"),
        )
        return paged(self, projects, s.ProjectSerializer)

    @extend_schema(
        summary="Create a project (members in their teams; leads may name another owner)",
        request=s.ProjectCreateSerializer,
        responses={201: s.ProjectSerializer},
    )
    def post(self, request):
        data = valid_in_team(s.ProjectCreateSerializer, request, "projects.add_project")
        owner = data.pop("owner", None) or request.user.pk
        if owner != request.user.pk:
            require(request.user, "projects.assign_owner", data["team"])
        project = services.project_create(actor=Actor.from_request(request), owner=owner, **data)
        return _project_answer(project, status.HTTP_201_CREATED)


class ProjectDetailView(ProjectsView):
    @extend_schema(summary="A project", responses=s.ProjectSerializer)
    def get(self, request, project_id: int):
        return Response(s.ProjectSerializer(_project_for(request, project_id)).data)

    @extend_schema(
        summary="Change a project (owner, acting owner, team leads, admins); not its owner",
        description=(
            "The owner changes by a transfer the new owner accepts (POST "
            "/api/v1/projects/{id}/transfers/); sending `owner` here is a 400 saying so. "
            "The acting owner has its own endpoint, and health comes from status updates."
        ),
        request=s.ProjectChangeSerializer,
        responses=s.ProjectSerializer,
    )
    def patch(self, request, project_id: int):
        project = _project_for(request, project_id, "projects.change_project")
        project = self.write(services.project_update, s.ProjectChangeSerializer, project=project)
        return _project_answer(project)

    @extend_schema(
        summary="Delete a project created by mistake (admins; others close it)",
        responses={204: None},
    )
    def delete(self, request, project_id: int):
        project = _project_for(request, project_id, "projects.delete_project")
        services.project_delete(actor=Actor.from_request(request), project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- goals ------------------------------------------------------------------------------------


class GoalListView(ProjectsView):
    @extend_schema(
        summary="A project's goals, in order",
        responses=s.GoalListSerializer,
        operation_id="projects_goals_list",
    )
    def get(self, request, project_id: int):
        project = _project_for(request, project_id)
        return Response(s.GoalListSerializer({"results": selectors.goals_of(project)}).data)

    @extend_schema(
        summary="Add a goal (owner, acting owner, team leads, admins)",
        request=s.GoalCreateSerializer,
        responses={201: s.GoalSerializer},
    )
    def post(self, request, project_id: int):
        project = _project_for(request, project_id, "projects.change_project")
        goal = self.write(services.goal_create, s.GoalCreateSerializer, project=project)
        return Response(s.GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class GoalDetailView(ProjectsView):
    def _goal(self, request, project_id: int, goal_id: int, perm: str = ""):
        """The goal, its project set (404 as for the project, then for the goal); then 403
        unless the caller has `perm` on the project."""
        project = _project_for(request, project_id)
        goal = found_or_404(selectors.goal_of(project, goal_id), "goal")
        if perm:
            require(request.user, perm, project)
        goal.project = project
        return goal

    @extend_schema(summary="A goal", responses=s.GoalSerializer)
    def get(self, request, project_id: int, goal_id: int):
        return Response(s.GoalSerializer(self._goal(request, project_id, goal_id)).data)

    @extend_schema(
        summary="Change a goal (owner, acting owner, team leads, admins)",
        request=s.GoalChangeSerializer,
        responses=s.GoalSerializer,
    )
    def patch(self, request, project_id: int, goal_id: int):
        goal = self._goal(request, project_id, goal_id, "projects.change_project")
        goal = self.write(services.goal_update, s.GoalChangeSerializer, goal=goal)
        return Response(s.GoalSerializer(goal).data)

    @extend_schema(summary="Remove a goal", responses={204: None})
    def delete(self, request, project_id: int, goal_id: int):
        goal = self._goal(request, project_id, goal_id, "projects.change_project")
        services.goal_delete(actor=Actor.from_request(request), goal=goal)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- status updates, history, watching ---------------------------------------------------------


class UpdateListView(ProjectsView):
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="A project's status updates, newest first",
        responses=s.UpdateSerializer(many=True),
        operation_id="projects_updates_list",
    )
    def get(self, request, project_id: int):
        project = _project_for(request, project_id)
        return paged(self, selectors.project_updates(project), s.UpdateSerializer)

    @extend_schema(
        summary="Post a status update (the accountable person: acting owner, else owner)",
        request=s.UpdatePostSerializer,
        responses={201: s.UpdateSerializer},
    )
    def post(self, request, project_id: int):
        project = _project_for(request, project_id, "projects.post_update", rule_only=True)
        update = self.write(services.update_post, s.UpdatePostSerializer, project=project)
        update = selectors.project_update_by_id(update.pk)
        return Response(s.UpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class HistoryView(ProjectsView):
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="Who was accountable when, and the project's status changes, newest first",
        responses=s.HistorySerializer(many=True),
        operation_id="projects_history_list",
    )
    def get(self, request, project_id: int):
        project = _project_for(request, project_id)
        return paged(self, selectors.project_history(project), s.HistorySerializer)


class WatchView(ProjectsView):
    def _set(self, request, project_id: int, watching: bool) -> bool:
        return services.watch_set(
            actor=Actor.from_request(request),
            project=_project_for(request, project_id),
            person=request.user,
            watching=watching,
        )

    @extend_schema(summary="Whether I watch the project", responses=s.WatchSerializer)
    def get(self, request, project_id: int):
        project = _project_for(request, project_id)
        watching = selectors.is_watching(project, request.user)
        return Response(s.WatchSerializer({"watching": watching}).data)

    @extend_schema(
        summary="Watch the project (its status updates reach me)",
        request=None,
        responses=s.WatchSerializer,
    )
    def put(self, request, project_id: int):
        return Response(s.WatchSerializer({"watching": self._set(request, project_id, True)}).data)

    @extend_schema(summary="Stop watching the project", responses={204: None})
    def delete(self, request, project_id: int):
        self._set(request, project_id, False)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- acting owner -----------------------------------------------------------------------------


class ActingOwnerView(ProjectsView):
    @extend_schema(
        summary="Name an acting owner until a date (owner, team leads, admins)",
        description=(
            "The acting owner is accountable (posts the status updates) until the morning of "
            "`until` in the owner's time zone, when it reverts by itself; both are told."
        ),
        request=s.ActingOwnerSerializer,
        responses=s.ProjectSerializer,
    )
    def put(self, request, project_id: int):
        project = _project_for(request, project_id, "projects.set_acting_owner")
        project = self.write(services.acting_set, s.ActingOwnerSerializer, project=project)
        return _project_answer(project)

    @extend_schema(
        summary="End the acting owner early (owner, team leads, admins)",
        responses={200: s.ProjectSerializer},
    )
    def delete(self, request, project_id: int):
        project = _project_for(request, project_id, "projects.set_acting_owner")
        project = services.acting_end(actor=Actor.from_request(request), project=project)
        return _project_answer(project)


# --- ownership transfers ----------------------------------------------------------------------


class ProjectTransfersView(ProjectsView):
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="A project's ownership transfers, newest first",
        responses=s.TransferSerializer(many=True),
        operation_id="projects_transfers_of_project",
    )
    def get(self, request, project_id: int):
        project = _project_for(request, project_id)
        return paged(self, selectors.project_transfers(project), s.TransferSerializer)

    @extend_schema(
        summary="Propose a new owner (owner, team leads, admins)",
        description=(
            "The proposed person accepts or declines; until then the owner stays accountable. "
            "A proposal nobody answers expires and both are told. One proposal per project "
            "waits at a time."
        ),
        request=s.TransferProposeSerializer,
        responses={201: s.TransferSerializer},
    )
    def post(self, request, project_id: int):
        project = _project_for(request, project_id, "projects.propose_transfer")
        transfer = self.write(
            services.transfer_propose, s.TransferProposeSerializer, project=project
        )
        return _transfer_answer(transfer, status.HTTP_201_CREATED)


class MyTransfersView(ProjectsView):
    pagination_class = ByIdCursorPagination

    @extend_schema(
        summary="Transfers waiting for my answer",
        responses=s.TransferSerializer(many=True),
        operation_id="projects_transfers_waiting_for_me",
    )
    def get(self, request):
        return paged(self, selectors.transfers_waiting(request.user), s.TransferSerializer)


class TransferDetailView(ProjectsView):
    @extend_schema(summary="An ownership transfer", responses=s.TransferSerializer)
    def get(self, request, transfer_id: int):
        return Response(s.TransferSerializer(_transfer_for(request, transfer_id)).data)


class TransferActionView(ProjectsView):
    # POST an answer to a transfer: `perm` checked on it (by the rule itself where rule_only),
    # then `service`(transfer=, answer=) writes. (A comment: a docstring would be the schema's
    # description of each action.)

    perm = ""
    rule_only = False
    service = None

    def post(self, request, transfer_id: int):
        transfer = _transfer_for(request, transfer_id)
        (require_rule if self.rule_only else require)(request.user, self.perm, transfer)
        self.write(self.service, s.TransferAnswerSerializer, transfer=transfer)
        return _transfer_answer(transfer)


_ANSWER = {"request": s.TransferAnswerSerializer, "responses": s.TransferSerializer}


@extend_schema(summary="Accept: I own the project from now on (the proposed owner only)", **_ANSWER)
class TransferAcceptView(TransferActionView):
    perm = "projects.accept_transfer"
    rule_only = True
    service = staticmethod(services.transfer_accept)


@extend_schema(summary="Decline (the proposed owner only); the owner stays", **_ANSWER)
class TransferDeclineView(TransferActionView):
    perm = "projects.accept_transfer"
    rule_only = True
    service = staticmethod(services.transfer_decline)


@extend_schema(
    summary="Withdraw a proposal (who proposed it, the owner, team leads, admins)", **_ANSWER
)
class TransferCancelView(TransferActionView):
    perm = "projects.cancel_transfer"
    service = staticmethod(services.transfer_cancel)


def _bulk_refused(rows: list[dict], total: int) -> Response:
    body = {
        "detail": f"Nothing was proposed: {len(rows)} of {total} rows are refused.",
        "rows": rows,
    }
    return Response(s.BulkErrorSerializer(body).data, status=status.HTTP_400_BAD_REQUEST)


def _rows(items: list[dict], errors: list[tuple[int, dict]]) -> list[dict]:
    """The refused rows of a bulk body, from (index, {field: [messages]}) pairs."""
    return [
        {"index": index, "project": items[index]["project"], "errors": row_errors}
        for index, row_errors in errors
    ]


class BulkTransferView(ProjectsView):
    @extend_schema(
        summary="Propose new owners for several projects at once: all or nothing",
        description=(
            "For a person who leaves: GET /api/v1/people/{person_id}/owned-projects/ lists "
            "their projects, and one call here proposes a new owner for each. Each row needs "
            "the right to propose a new owner for its project. If any row is refused, nothing "
            "is proposed and the 400 names every refused row."
        ),
        request=s.BulkTransferItemSerializer(many=True),
        responses={
            201: s.TransferListSerializer,
            400: OpenApiResponse(
                s.BulkErrorSerializer, description="Bad input; a bulk refusal names its rows."
            ),
        },
    )
    def post(self, request):
        items, refused = s.bulk_proposals(request.data)
        if refused:
            return _bulk_refused(refused, len(request.data))
        projects = selectors.projects_by_ids(item["project"] for item in items)
        refused = []
        for index, item in enumerate(items):
            project = projects.get(item["project"])
            if project is None or not request.user.has_perm("projects.view_project", project):
                refused.append((index, {"project": ["No such project."]}))
            elif not request.user.has_perm("projects.propose_transfer", project):
                refused.append(
                    (index, {"project": ["You may not propose a new owner for this project."]})
                )
        if refused:
            return _bulk_refused(_rows(items, refused), len(items))
        proposals = [
            {
                "project": projects[item["project"]],
                "to_person": item["to_person"],
                "reason": item["reason"],
                "note": item.get("note") or "",
            }
            for item in items
        ]
        try:
            created = services.transfer_propose_many(
                actor=Actor.from_request(request), proposals=proposals
            )
        except services.RowErrors as exc:
            return _bulk_refused(_rows(items, exc.rows), len(items))
        transfers = selectors.transfers_by_ids(t.pk for t in created)
        return Response(
            s.TransferListSerializer({"results": transfers}).data, status=status.HTTP_201_CREATED
        )


# --- a person's projects (deactivation) --------------------------------------------------------


class OwnedProjectsView(ProjectsView):
    pagination_class = ByIdCursorPagination

    @extend_schema(
        summary="Open projects a person owns or acts for (orphaned once they leave)",
        description=(
            "What the deactivation page lists first: each needs a new owner, proposed in one "
            "step with POST /api/v1/projects/transfers/bulk/."
        ),
        responses=s.ProjectSerializer(many=True),
        operation_id="people_owned_projects_list",
    )
    def get(self, request, person_id: int):
        require(request.user, "projects.view_project")
        person = found_or_404(selectors.person_by_id(person_id), "person")
        return paged(self, selectors.orphaned_by(person), s.ProjectSerializer)
