"""Resolving the current workspace from the signed-in user's membership, and role checks.

Every view of a domain page goes through `member_required`: it sets `request.membership`
and `request.workspace`, answers 403 to a member whose role is too low, and sends an
anonymous visitor to the login page. Rows are then looked up *within* `request.workspace`,
so another workspace's id answers 404.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from salesops.models import Membership, Role
from salesops.services import security_event_record

SESSION_WORKSPACE_KEY = "salesops_workspace_id"


def current_membership(request) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    if hasattr(request, "_cached_membership"):
        return request._cached_membership
    memberships = Membership.objects.select_related("workspace").filter(user=request.user).order_by("workspace__name")
    chosen_id = request.session.get(SESSION_WORKSPACE_KEY)
    membership = None
    if chosen_id is not None:
        membership = next((m for m in memberships if m.workspace_id == chosen_id), None)
    if membership is None:
        membership = memberships.first()
    if membership is not None:
        membership.user = request.user  # the same person: services read `membership.user` without a query
    request._cached_membership = membership
    return membership


def member_required(role: str = Role.REP):
    """Require a signed-in member of the current workspace holding at least `role`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = current_membership(request)
            if membership is None:
                return render(request, "salesops/no_workspace.html", status=403)
            if not membership.has_role(role):
                security_event_record(
                    request=request, workspace=membership.workspace, verb="security.permission_denied"
                )
                raise PermissionDenied(f"This page needs the {role} role.")
            request.membership = membership
            request.workspace = membership.workspace
            return view(request, *args, **kwargs)

        wrapper.required_role = role
        return wrapper

    return decorator
