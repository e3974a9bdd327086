"""Pages of projects (the ownership map's are in map_urls.py).

A project's own address is /projects/<slug>/. The `project_slug` converter never matches the
names Baton's own pages use under /projects/ (validation.RESERVED_SLUGS: new, transfers, map,
export), so /projects/map/ reaches the map (map_urls.py, included after this list) and not a
project called "map", which cannot exist anyway.
"""

from django.urls import path, register_converter

from .validation import RESERVED_SLUGS
from .views import goals, lists, pages, transfers


class ProjectSlugConverter:
    regex = "(?!(?:" + "|".join(sorted(RESERVED_SLUGS)) + ")(?:/|$))[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProjectSlugConverter, "project_slug")

P = "projects/<project_slug:slug>/"
T = "projects/transfers/<id:pk>/"
G = P + "goals/<id:goal_id>/"

urlpatterns = [
    path("projects/", lists.project_list, name="project-list"),
    path("projects/new/", lists.project_create, name="project-create"),
    path("projects/new/people/", lists.project_create_people, name="project-create-people"),
    path(T, transfers.transfer_detail, name="project-transfer"),
    path(T + "answer/", transfers.transfer_answer, name="project-transfer-answer"),
    path(T + "cancel/", transfers.transfer_cancel, name="project-transfer-cancel"),
    path("projects/transfers/person/<id:pk>/", transfers.handover, name="project-handover"),
    path(P, pages.project_detail, name="project-detail"),
    path(P + "edit/", pages.project_edit, name="project-edit"),
    path(P + "delete/", pages.project_delete, name="project-delete"),
    path(P + "watch/", pages.project_watch, name="project-watch"),
    path(P + "updates/", pages.update_post, name="project-update-post"),
    path(P + "goals/", goals.goal_add, name="project-goal-add"),
    path(G, goals.goal_edit, name="project-goal-edit"),
    path(G + "done/", goals.goal_done, name="project-goal-done"),
    path(G + "delete/", goals.goal_delete, name="project-goal-delete"),
    path(P + "transfer/", transfers.transfer_propose, name="project-transfer-propose"),
    path(P + "acting/", transfers.acting_set, name="project-acting"),
    path(P + "acting/end/", transfers.acting_end, name="project-acting-end"),
]
