from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from salesops import selectors, services
from salesops.access import SESSION_WORKSPACE_KEY, member_required
from salesops.audit import audit_verify_chain
from salesops.forms import AcceptInvitationForm, AuditFilterForm, InvitationForm, MembershipRoleForm
from salesops.models import Invitation, Membership, Role, User


def home(request):
    return redirect("insights:overview" if request.user.is_authenticated else "account_login")


def favicon(request):
    # Browsers ask for /favicon.ico whatever the pages link; the icon itself is a static SVG.
    return redirect(static("favicon.svg"))


@member_required(Role.REP)
def dashboard(request):
    # The workspace overview reads the agents' data, so it lives in agents.insights; the core reaches
    # it by URL name only (it must not import agents).
    return resolve(reverse("insights:overview")).func(request)


@login_required
@require_POST
def workspace_switch(request):
    try:
        workspace_id = int(request.POST.get("workspace", ""))
    except ValueError:
        raise Http404 from None
    if not selectors.memberships_of_user(user=request.user).filter(workspace_id=workspace_id).exists():
        raise Http404
    request.session[SESSION_WORKSPACE_KEY] = workspace_id
    return redirect("dashboard")


def _get_membership_for_admin(request, membership_id: int) -> Membership:
    try:
        return selectors.membership_get(workspace=request.workspace, membership_id=membership_id)
    except Membership.DoesNotExist:
        raise Http404 from None


@member_required(Role.ADMIN)
def settings_members(request):
    context = {
        "members": selectors.workspace_members(workspace=request.workspace),
        "invitations": selectors.workspace_pending_invitations(workspace=request.workspace),
        "invitation_form": InvitationForm(),
        "roles": Role.choices,
    }
    return render(request, "salesops/settings_members.html", context)


@member_required(Role.ADMIN)
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.membership, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("settings_members")
    context = {
        "members": selectors.workspace_members(workspace=request.workspace),
        "invitations": selectors.workspace_pending_invitations(workspace=request.workspace),
        "invitation_form": form,
        "roles": Role.choices,
    }
    return render(request, "salesops/settings_members.html", context, status=400)


@member_required(Role.ADMIN)
@require_POST
def invitation_revoke(request, invitation_id: int):
    try:
        invitation = selectors.invitation_get(workspace=request.workspace, invitation_id=invitation_id)
    except Invitation.DoesNotExist:
        raise Http404 from None
    services.invitation_revoke(actor=request.membership, invitation=invitation)
    messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    return redirect("settings_members")


@member_required(Role.ADMIN)
@require_POST
def membership_role_change(request, membership_id: int):
    membership = _get_membership_for_admin(request, membership_id)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
        return redirect("settings_members")
    try:
        services.membership_change_role(actor=request.membership, membership=membership, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user.email} is now {membership.get_role_display().lower()}.")
    return redirect("settings_members")


@member_required(Role.ADMIN)
@require_POST
def membership_remove(request, membership_id: int):
    membership = _get_membership_for_admin(request, membership_id)
    try:
        services.membership_remove(actor=request.membership, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user.email} was removed from the workspace.")
    return redirect("settings_members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as error:
        return render(request, "salesops/invitation_invalid.html", {"reason": str(error)}, status=400)

    existing_user = User.objects.filter(email__iexact=invitation.email).first()
    if existing_user is not None:
        if not request.user.is_authenticated:
            messages.info(request, f"Sign in as {invitation.email} to join {invitation.workspace}.")
            return redirect_to_login(request.get_full_path())
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            except services.InvitationInvalid as error:
                return render(request, "salesops/invitation_invalid.html", {"reason": str(error)}, status=400)
            request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
            messages.success(request, f"Welcome to {membership.workspace}.")
            return redirect("dashboard")
        return render(request, "salesops/invitation_accept.html", {"invitation": invitation, "form": None})

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        membership = services.invitation_accept_as_new_user(
            invitation=invitation,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password"],
        )
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
        messages.success(request, f"Welcome to {membership.workspace}.")
        return redirect("dashboard")
    return render(request, "salesops/invitation_accept.html", {"invitation": invitation, "form": form})


@member_required(Role.ADMIN)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(
        workspace=request.workspace,
        actor=filters.get("actor", ""),
        verb=filters.get("verb", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "verbs": selectors.audit_verbs(workspace=request.workspace),
        "query": query.urlencode(),
    }
    template = "salesops/audit_list.html#events" if request.htmx else "salesops/audit_list.html"
    return render(request, template, context)


@member_required(Role.ADMIN)
@require_POST
def audit_verify(request):
    report = audit_verify_chain(workspace=request.workspace)
    if report.intact:
        messages.success(request, f"The audit chain is intact: {report.events_checked} events checked.")
    else:
        messages.error(
            request,
            f"The audit chain is broken at event #{report.first_broken.sequence} "
            f"({report.first_broken.verb}): {report.problem}.",
        )
    # Back to the page the button was on (the audit timeline), else the audit log.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("audit_list")


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)
