"""Pages of urgent updates and escalation policies. An update's own address,
/urgent/<id>/ ("urgent-update-detail"), is the link every page, e-mail and webhook carries
(escalations.engine.update_url)."""

from django.urls import path

from .views import keys, policies, updates

U = "urgent/<id:pk>/"

urlpatterns = [
    path("urgent/", updates.update_list, name="urgent-update-list"),
    path("urgent/new/", updates.update_raise, name="urgent-update-raise"),
    path(U, updates.update_detail, name="urgent-update-detail"),
    path(U + "live/", updates.update_live, name="urgent-update-live"),
    path(
        U + "acknowledge/",
        updates.update_action,
        {"action": "acknowledge"},
        name="urgent-update-acknowledge",
    ),
    path(
        U + "resolve/", updates.update_action, {"action": "resolve"}, name="urgent-update-resolve"
    ),
    path(U + "cancel/", updates.update_action, {"action": "cancel"}, name="urgent-update-cancel"),
    path("urgent/team-policy/<slug:slug>/", policies.team_policy, name="urgent-team-policy"),
    path(
        "urgent/team-policy/<slug:slug>/delete/",
        policies.team_policy_delete,
        name="urgent-team-policy-delete",
    ),
    path("urgent/team-keys/<slug:slug>/", keys.team_keys, name="urgent-team-keys"),
    path(
        "urgent/team-keys/<slug:slug>/<id:key_id>/revoke/",
        keys.team_key_revoke,
        name="urgent-team-key-revoke",
    ),
    path(
        "urgent/project-policy/<slug:slug>/",
        policies.project_policy,
        name="urgent-project-policy",
    ),
    path(
        "urgent/project-policy/<slug:slug>/delete/",
        policies.project_policy_delete,
        name="urgent-project-policy-delete",
    ),
]
