"""Every write to people, teams, memberships, roles and org settings.

Each function takes keyword-only arguments, runs in one transaction, records an audit event,
and schedules side effects (emails, session ends) on commit (core.tasks.enqueue_on_commit,
transaction.on_commit).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core import caching
from core.audit import Actor, audit_record
from core.realtime import send_to_user
from core.tasks import enqueue_on_commit
from core.validation import delete_or_refuse

from . import hooks, validation
from . import hours as hours_math
from .models import (
    Clock,
    Membership,
    MfaPolicy,
    OrgRole,
    OrgSettings,
    Profile,
    Team,
    TeamRole,
    WorkingInterval,
)
from .selectors import PEOPLE_CACHE, TEAMS_CACHE, memberships_changed
from .tasks import send_invitation

User = get_user_model()


def working_interval_rows(profile: Profile) -> list[WorkingInterval]:
    """The WorkingInterval rows that mirror a profile's working hours (unsaved): its week
    ranges, long ones in pieces (hours.storage_pieces)."""
    return [
        WorkingInterval(
            profile_id=profile.pk,
            time_zone=profile.time_zone,
            start_minute=r.start,
            end_minute=r.end,
        )
        for r in hours_math.storage_pieces(hours_math.week_ranges(profile.working_hours or {}))
    ]


def _store_intervals(profile: Profile) -> None:
    WorkingInterval.objects.filter(profile=profile).delete()
    WorkingInterval.objects.bulk_create(working_interval_rows(profile))


def _sync_staff_flags(user: AbstractBaseUser, org_role: str) -> None:
    # The Django admin site is for org admins only.
    is_admin = org_role == OrgRole.ADMIN
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = is_admin
        user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])


# --- people ----------------------------------------------------------------------------------

# What a person may change on their profile (person_update); the org role is separate.
PROFILE_FIELDS = (
    "display_name",
    "title",
    "time_zone",
    "country",
    "phone",
    "working_hours",
    "clock",
)


@transaction.atomic
def person_create(
    *,
    actor: Actor,
    username: str,
    email: str,
    display_name: str,
    time_zone: str,
    country: str,
    working_hours: object | None = None,
    org_role: str = OrgRole.MEMBER,
    title: str = "",
    phone: str = "",
    clock: str = Clock.H24,
    password: str | None = None,
    send_invite: bool = True,
    audit: bool = True,
) -> AbstractBaseUser:
    """Create a person (admins invite people; there is no self sign-up). The fields are
    cleaned by teams.validation (clean_person); `working_hours` None means the default."""
    cleaned, errors = validation.clean_person(
        {
            "username": username,
            "email": email,
            "display_name": display_name,
            "title": title,
            "phone": phone,
            "time_zone": time_zone,
            "country": country,
            "working_hours": working_hours,
            "org_role": org_role,
            "clock": clock,
        }
    )
    username, email = cleaned.get("username"), cleaned.get("email")
    if username and User.objects.filter(username__iexact=username).exists():
        errors["username"] = validation.username_taken(username)
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = validation.email_taken(email)
    if errors:
        raise ValidationError(errors)
    org_role, time_zone = cleaned["org_role"], cleaned["time_zone"]

    user = User(
        username=username,
        email=email,
        first_name=validation.first_name_for(cleaned["display_name"]),
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    profile = Profile.objects.create(
        user=user, **{name: cleaned[name] for name in (*PROFILE_FIELDS, "org_role")}
    )
    _store_intervals(profile)
    _sync_staff_flags(user, org_role)
    caching.bump(PEOPLE_CACHE)
    if audit:
        audit_record(
            actor=actor,
            action="person.create",
            target=user,
            changes={"username": username, "org_role": org_role, "time_zone": time_zone},
        )
    if send_invite and not password:
        _queue_invitations([user.pk])
    return user


@transaction.atomic
def person_update(*, actor: Actor, person: AbstractBaseUser, **fields: object) -> Profile:
    """Change profile fields (display_name, title, time_zone, country, phone, working_hours)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    cleaned, errors = validation.clean_person(fields, partial=True)
    if errors:
        raise ValidationError(errors)
    profile = Profile.objects.select_for_update().get(user=person)
    changes = {}
    for name, value in cleaned.items():
        old = getattr(profile, name)
        if old != value:
            changes[name] = {"from": old, "to": value}
            setattr(profile, name, value)
    if changes:
        profile.save()
        if "working_hours" in changes or "time_zone" in changes:
            _store_intervals(profile)
            hooks.hours_changed(profile=profile)  # e.g. notifications' held deliveries
        if "display_name" in changes:
            person.first_name = validation.first_name_for(profile.display_name)
            person.save(update_fields=["first_name"])
        if {"working_hours", "time_zone", "display_name"} & changes.keys():
            # Who works now, and in which order they are listed (working_person_ids).
            caching.bump(PEOPLE_CACHE)
        audit_record(actor=actor, action="person.update", target=person, changes=changes)
    return profile


@transaction.atomic
def person_set_org_role(*, actor: Actor, person: AbstractBaseUser, org_role: str) -> Profile:
    org_role = validation.clean_org_role(org_role)
    profile = Profile.objects.select_for_update().get(user=person)
    if profile.org_role == org_role:
        return profile
    if (
        profile.org_role == OrgRole.ADMIN
        and not Profile.objects.filter(org_role=OrgRole.ADMIN, user__is_active=True)
        .exclude(pk=profile.pk)
        .exists()
    ):
        raise ValidationError({"org_role": "The org must keep at least one active admin."})
    old = profile.org_role
    profile.org_role = org_role
    profile.save(update_fields=["org_role"])
    _sync_staff_flags(person, org_role)
    audit_record(
        actor=actor,
        action="person.org_role",
        target=person,
        changes={"org_role": {"from": old, "to": org_role}},
    )
    return profile


@transaction.atomic
def person_change(
    *, actor: Actor, person: AbstractBaseUser, org_role: str | None = None, **fields: object
) -> Profile:
    """Profile fields and the org role together (the API's PATCH): both or neither."""
    profile = person_update(actor=actor, person=person, **fields) if fields else person.profile
    if org_role is not None:
        profile = person_set_org_role(actor=actor, person=person, org_role=org_role)
    return profile


def _invite_refusal(person: AbstractBaseUser) -> str | None:
    """Why `person` cannot be sent an invitation, or None when they can."""
    name = person.profile.display_name
    if not person.is_active:
        return f"{name} has left; reactivate them before inviting them."
    if not person.email:
        return f"{name} has no e-mail address to send an invitation to."
    if person.has_usable_password():
        return (
            f"{name} has already chosen a password; they can use “Forgot your password?” "
            "on the sign-in page."
        )
    return None


@transaction.atomic
def person_invite(*, actor: Actor, person: AbstractBaseUser) -> None:
    """(Re)send `person` the e-mail that lets them choose a password and sign in. Only for
    people who have never chosen one: anyone else is refused with the reason."""
    refusal = _invite_refusal(person)
    if refusal:
        raise ValidationError({"person": refusal})
    audit_record(actor=actor, action="person.invite", target=person)
    _queue_invitations([person.pk])


@transaction.atomic
def people_invite(
    *, actor: Actor, people: list[AbstractBaseUser]
) -> tuple[list[AbstractBaseUser], list[tuple[AbstractBaseUser, str]]]:
    """Invite each of `people` who can be invited; returns (invited, [(skipped, reason)])."""
    invited, skipped = [], []
    for person in people:
        refusal = _invite_refusal(person)
        if refusal:
            skipped.append((person, refusal))
        else:
            invited.append(person)
            audit_record(actor=actor, action="person.invite", target=person)
    _queue_invitations([person.pk for person in invited])
    return invited, skipped


def _queue_invitations(user_ids: list[int]) -> None:
    # A broker outage logs a warning: the admin can press "Resend" later.
    for pk in user_ids:
        enqueue_on_commit(send_invitation, pk)


@transaction.atomic
def person_deactivate(*, actor: Actor, person: AbstractBaseUser) -> None:
    """Mark a person as having left; they can no longer sign in and every session ends."""
    if actor.user is not None and actor.user.pk == person.pk:
        raise ValidationError({"person": "You cannot deactivate yourself."})
    profile = Profile.objects.select_for_update().get(user=person)
    if (
        profile.org_role == OrgRole.ADMIN
        and not Profile.objects.filter(org_role=OrgRole.ADMIN, user__is_active=True)
        .exclude(pk=profile.pk)
        .exists()
    ):
        raise ValidationError({"person": "The org must keep at least one active admin."})
    if not person.is_active:
        return
    person.is_active = False
    person.save(update_fields=["is_active"])
    profile.left_at = timezone.now()
    profile.save(update_fields=["left_at"])
    audit_record(actor=actor, action="person.deactivate", target=person)
    hooks.person_deactivated(person=person)
    caching.bump(PEOPLE_CACHE)
    user_id = person.pk
    transaction.on_commit(lambda: sessions_end_all(user_id=user_id))


@transaction.atomic
def person_reactivate(*, actor: Actor, person: AbstractBaseUser) -> None:
    if person.is_active:
        return
    person.is_active = True
    person.save(update_fields=["is_active"])
    Profile.objects.filter(user=person).update(left_at=None)
    audit_record(actor=actor, action="person.reactivate", target=person)
    caching.bump(PEOPLE_CACHE)


def sessions_end_all(*, user_id: int) -> int:
    """End every session of a person (allauth's user sessions plus any stray Django session),
    and tell their open WebSockets to close."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for user_session in UserSession.objects.filter(user_id=user_id):
        user_session.end()
        ended += 1
    send_to_user(user_id, {"type": "session.ended"})
    return ended


# --- teams and memberships -------------------------------------------------------------------


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    # Room for a "-NN" suffix within the slug field's length.
    base = slugify(name)[: validation.TEAM_SLUG_MAX - 20].strip("-") or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_parent(team: Team | None, parent: Team | None) -> None:
    if parent is None or team is None or team.pk is None:
        return
    node: Team | None = parent
    seen = set()
    while node is not None and node.pk not in seen:
        if node.pk == team.pk:
            raise ValidationError({"parent": "A team cannot be inside itself or its sub-teams."})
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    name: str,
    slug: str | None = None,
    parent: Team | None = None,
    description: str = "",
    audit: bool = True,
) -> Team:
    errors: dict[str, str] = {}
    try:
        name = validation.clean_team_name(name)
    except ValidationError as exc:
        errors["name"] = validation.message_of(exc, "name")
    if slug:
        try:
            slug = validation.clean_team_slug(slug)
        except ValidationError as exc:
            errors["slug"] = validation.message_of(exc, "slug")
        else:
            if Team.objects.filter(slug=slug).exists():
                errors["slug"] = validation.slug_taken(slug)
    if errors:
        raise ValidationError(errors)
    if not slug:
        slug = _unique_slug(name)
    team = Team.objects.create(name=name, slug=slug, parent=parent, description=description)
    caching.bump(TEAMS_CACHE)
    if audit:
        audit_record(
            actor=actor,
            action="team.create",
            target=team,
            changes={"name": name, "parent": parent.pk if parent else None},
        )
    return team


@transaction.atomic
def team_update(
    *,
    actor: Actor,
    team: Team,
    name: str | None = None,
    parent: Team | None | type[Ellipsis] = ...,
    description: str | None = None,
) -> Team:
    changes = {}
    if name is not None:
        name = validation.clean_team_name(name)
        if name != team.name:
            changes["name"] = {"from": team.name, "to": name}
            team.name = name
    if parent is not ...:
        _check_parent(team, parent)
        if (parent.pk if parent else None) != team.parent_id:
            changes["parent"] = {"from": team.parent_id, "to": parent.pk if parent else None}
            team.parent = parent
    if description is not None and description != team.description:
        changes["description"] = "changed"
        team.description = description
    if changes:
        team.save()
        audit_record(actor=actor, action="team.update", target=team, changes=changes)
        caching.bump(TEAMS_CACHE)
    return team


@transaction.atomic
def team_delete(*, actor: Actor, team: Team) -> None:
    if team.children.exists():
        raise ValidationError({"team": "Move or delete the sub-teams first."})
    audit_record(actor=actor, action="team.delete", target=team)
    caching.bump(TEAMS_CACHE)
    # Apps above teams keep rows that must not vanish with a team (a project and its history).
    delete_or_refuse(team, field="team", what="team")
    memberships_changed()  # its memberships went with it (selectors.team_ids_of)


@transaction.atomic
def membership_set(
    *,
    actor: Actor,
    team: Team,
    person: AbstractBaseUser,
    role: str = TeamRole.MEMBER,
    audit: bool = True,
) -> Membership:
    """Add a person to a team, or change their role there."""
    role = validation.clean_team_role(role)
    if not person.is_active:
        raise ValidationError({"person": "This person has left and cannot join a team."})
    membership, created = Membership.objects.select_for_update().get_or_create(
        team=team, person=person, defaults={"role": role}
    )
    if created or membership.role != role:
        memberships_changed()  # selectors.team_ids_of memos read them again
    if created:
        if audit:
            audit_record(
                actor=actor,
                action="membership.add",
                target=team,
                changes={"person": person.pk, "role": role},
            )
    elif membership.role != role:
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="membership.role",
            target=team,
            changes={"person": person.pk, "role": {"from": old, "to": role}},
        )
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, team: Team, person: AbstractBaseUser) -> None:
    deleted, _ = Membership.objects.filter(team=team, person=person).delete()
    if not deleted:
        raise ValidationError({"person": "This person is not a member of the team."})
    memberships_changed()  # selectors.team_ids_of memos read them again
    audit_record(
        actor=actor, action="membership.remove", target=team, changes={"person": person.pk}
    )


# --- org settings ----------------------------------------------------------------------------


@transaction.atomic
def org_settings_update(*, actor: Actor, mfa_required_for: str) -> OrgSettings:
    if mfa_required_for not in MfaPolicy.values:
        raise ValidationError(
            {"mfa_required_for": f"Choose one of: {', '.join(MfaPolicy.values)}."}
        )
    org, _ = OrgSettings.objects.select_for_update().get_or_create(pk=1)
    if org.mfa_required_for != mfa_required_for:
        old = org.mfa_required_for
        org.mfa_required_for = mfa_required_for
        org.save()
        audit_record(
            actor=actor,
            action="org.settings",
            target=org,
            changes={"mfa_required_for": {"from": old, "to": mfa_required_for}},
        )
    return org
