from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agents.conversations.models import InboundMessage
from agents.conversations.services import inbound_receive
from salesops.access import member_required
from salesops.models import Role
from salesops.services import workspace_for_inbound_secret, workspace_inbound_secret_rotate


@csrf_exempt  # a mail relay posts here with a bearer secret, not a browser session
@require_POST
def inbound_mime(request):
    """Receive one raw RFC 5322 message (`Content-Type: message/rfc822`)."""
    header = request.headers.get("Authorization", "")
    secret = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    workspace = workspace_for_inbound_secret(secret)
    if workspace is None:
        response = JsonResponse({"error": "A valid 'Authorization: Bearer <inbound secret>' header is required."})
        response.status_code = 401
        response["WWW-Authenticate"] = 'Bearer realm="inbound"'
        return response
    # The stream, not request.body: Django refuses a body above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, which
    # guards every form) before a view sees it, and mail may be larger. Up to SALESOPS_INBOUND_MAX_BYTES is
    # kept; the rest is read, counted and dropped, so the message is stored truncated with the reason.
    limit = settings.SALESOPS_INBOUND_MAX_BYTES
    raw = request.read(limit)
    size = len(raw)
    while chunk := request.read(1024 * 1024):
        size += len(chunk)
    received = inbound_receive(workspace=workspace, raw=raw, size=size, channel=InboundMessage.Channel.MIME)
    inbound = received.inbound
    body = {"id": inbound.pk, "status": inbound.status, "duplicate": not received.created}
    if inbound.failure_reason:
        body["reason"] = inbound.failure_reason
    # A stored failure is still accepted (202): the relay must not retry what we already kept.
    return JsonResponse(body, status=202 if received.created else 200)


@member_required(Role.ADMIN)
def inbound_list(request):
    status = request.GET.get("status", "")
    inbound = InboundMessage.objects.filter(workspace=request.workspace).defer("raw")
    if status in InboundMessage.Status.values:
        inbound = inbound.filter(status=status)
    page = Paginator(inbound.select_related("contact").order_by("-received_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "statuses": InboundMessage.Status.choices,
        "has_secret": bool(request.workspace.inbound_secret_hash),
    }
    return render(request, "conversations/inbound_list.html", context)


@member_required(Role.ADMIN)
@require_POST
def inbound_secret_rotate(request):
    secret = workspace_inbound_secret_rotate(actor=request.membership)
    messages.success(request, "A new inbound secret was made. Copy it now: it is not shown again.")
    response = render(request, "conversations/inbound_secret.html", {"secret": secret})
    response["Cache-Control"] = "no-store"
    return response
