"""Sign-in events are security events: they go to the audit log's system chain."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from salesops.audit import audit_record, member_audit


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
    member_audit(workspace=None, user=user, verb="auth.logged_in", target=user)


@receiver(user_logged_out)
def audit_logged_out(sender, request, user, **kwargs):
    if user is not None:
        member_audit(workspace=None, user=user, verb="auth.logged_out", target=user)
