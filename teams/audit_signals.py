"""Sign-in events into the audit log. Auth events only exist as signals, so this is the one
place that listens; it records and does nothing else."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from core.audit import Actor, audit_record


@receiver(user_logged_in, dispatch_uid="baton_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=Actor.from_request(request, via="web"), action="auth.login", target=user)


@receiver(user_logged_out, dispatch_uid="baton_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None and request is not None:
        actor = Actor(user=user, ip=request.META.get("REMOTE_ADDR"), via="web")
        audit_record(actor=actor, action="auth.logout", target=user)


@receiver(user_login_failed, dispatch_uid="baton_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or credentials.get("login") or "")[:100]
    actor = Actor.from_request(request, via="web") if request is not None else Actor.system()
    audit_record(actor=actor, action="auth.login_failed", changes={"username": username})


def _connect_mfa_signals():
    # weak=False: these receivers are local functions; a weak reference would let them be
    # garbage-collected (silently disconnected) as soon as this function returns.
    from allauth.mfa import signals as mfa_signals

    @receiver(mfa_signals.authenticator_added, dispatch_uid="baton_audit_mfa_added", weak=False)
    def _mfa_added(sender, request, user, authenticator, **kwargs):
        audit_record(
            actor=Actor.from_request(request, via="web"),
            action="auth.mfa_added",
            target=user,
            changes={"type": authenticator.type},
        )

    @receiver(mfa_signals.authenticator_removed, dispatch_uid="baton_audit_mfa_removed", weak=False)
    def _mfa_removed(sender, request, user, authenticator, **kwargs):
        audit_record(
            actor=Actor.from_request(request, via="web"),
            action="auth.mfa_removed",
            target=user,
            changes={"type": authenticator.type},
        )

    from allauth.account.signals import password_changed, password_reset

    @receiver(password_changed, dispatch_uid="baton_audit_password_changed", weak=False)
    def _password_changed(sender, request, user, **kwargs):
        audit_record(
            actor=Actor.from_request(request, via="web"),
            action="auth.password_changed",
            target=user,
        )

    @receiver(password_reset, dispatch_uid="baton_audit_password_reset", weak=False)
    def _password_reset(sender, request, user, **kwargs):
        audit_record(
            actor=Actor.from_request(request, via="web"),
            action="auth.password_reset",
            target=user,
        )


_connect_mfa_signals()
