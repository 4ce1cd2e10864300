"""Sign-in events are security events: they go to the audit log's system chain."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from salesops.audit import audit_record


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:200]
    audit_record(
        workspace=None,
        verb="security.login_failed",
        actor="anonymous",
        after={"email": attempted, "ip": request.META.get("REMOTE_ADDR", "") if request is not None else ""},
    )


@receiver(user_logged_in)
def audit_logged_in(sender, request, user, **kwargs):
    audit_record(workspace=None, verb="auth.logged_in", actor=user.email, actor_user=user, target=user)


@receiver(user_logged_out)
def audit_logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(workspace=None, verb="auth.logged_out", actor=user.email, actor_user=user, target=user)
