from django.urls import path

from . import views, views_import

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("me/", views.profile_edit, name="profile-edit"),
    path("people/", views.people_directory, name="people-directory"),
    path("people/new/", views.person_new, name="person-new"),
    path("people/invite/", views.people_invite, name="people-invite"),
    path("people/import/", views_import.people_import, name="people-import"),
    path("people/<id:pk>/", views.person_detail, name="person-detail"),
    path("people/<id:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<id:pk>/role/", views.person_role, name="person-role"),
    path("people/<id:pk>/deactivate/", views.person_deactivate, name="person-deactivate"),
    path("people/<id:pk>/reactivate/", views.person_reactivate, name="person-reactivate"),
    path("people/<id:pk>/invite/", views.person_invite, name="person-invite"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<slug:slug>/", views.team_detail, name="team-detail"),
    path("teams/<slug:slug>/edit/", views.team_edit, name="team-edit"),
    path("teams/<slug:slug>/members/add/", views.team_member_add, name="team-member-add"),
    path(
        "teams/<slug:slug>/members/<id:person_id>/role/",
        views.team_member_role,
        name="team-member-role",
    ),
    path(
        "teams/<slug:slug>/members/<id:person_id>/remove/",
        views.team_member_remove,
        name="team-member-remove",
    ),
    path("settings/org/", views.org_settings, name="org-settings"),
    path("audit/", views.audit_log, name="audit-log"),
]
