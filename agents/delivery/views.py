"""Delivery pages: Settings → Mailboxes, Suppression, Outbox and Sandbox mail, and the public
unsubscribe page that every email links to.

Managers read the mailbox list (health, caps, warm-up), the outbox and the sandbox; every change of a
mailbox or of the suppression list is an admin's (checked here and again in the services)."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from agents.delivery import mailboxes as mailbox_services
from agents.delivery import selectors, send_now
from agents.delivery import suppression as suppression_services
from agents.delivery.forms import (
    MailboxForm,
    OutboxFilterForm,
    SuppressionAddForm,
    SuppressionImportForm,
    SuppressionSearchForm,
    TestEmailForm,
)
from agents.delivery.models import Mailbox, OutboundMessage, SandboxMail, Suppression
from agents.delivery.sandbox import sandbox_attachments
from agents.delivery.unsubscribe import UnsubscribeLinkInvalid, contact_unsubscribe, unsubscribe_target
from campaigns.models import Contact
from salesops.access import member_required
from salesops.models import Role

PAGE_SIZE = 50
SUPPRESSION_IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


# Mailboxes --------------------------------------------------------------------------------------


def _get_mailbox_for_admin(request, mailbox_id: int) -> Mailbox:
    try:
        return selectors.mailbox_get(workspace=request.workspace, mailbox_id=mailbox_id)
    except Mailbox.DoesNotExist:
        raise Http404 from None


@member_required(Role.MANAGER)
@require_GET
def mailbox_list(request):
    return render(
        request,
        "delivery/mailbox_list.html",
        {
            "mailboxes": selectors.mailboxes_of_workspace(workspace=request.workspace),
            "can_manage": request.membership.has_role(Role.ADMIN),
        },
    )


def _mailbox_fields(form: MailboxForm) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name in mailbox_services.EDITABLE_FIELDS}


@member_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def mailbox_create(request):
    form = MailboxForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            mailbox = mailbox_services.mailbox_create(
                actor=request.membership,
                fields=_mailbox_fields(form),
                password=form.cleaned_data["smtp_password"],
                imap_password=form.cleaned_data["imap_password"],
                esp_api_key=form.cleaned_data["esp_api_key"],
                campaigns=form.cleaned_data["campaigns"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Mailbox {mailbox.from_address} added.")
            return redirect("agents:mailbox_edit", mailbox_id=mailbox.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "delivery/mailbox_form.html", {"form": form, "creating": True}, status=status)


@member_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def mailbox_edit(request, mailbox_id: int):
    mailbox = _get_mailbox_for_admin(request, mailbox_id)
    form = MailboxForm(
        request.POST or None,
        instance=mailbox,
        workspace=request.workspace,
        initial={"campaigns": list(mailbox.campaigns.all())},
    )
    if request.method == "POST" and form.is_valid():
        try:
            mailbox_services.mailbox_update(
                actor=request.membership,
                mailbox=mailbox,
                fields=_mailbox_fields(form),
                password=form.cleaned_data["smtp_password"],
                imap_password=form.cleaned_data["imap_password"],
                esp_api_key=form.cleaned_data["esp_api_key"],
                campaigns=form.cleaned_data["campaigns"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Mailbox {mailbox.from_address} saved.")
            return redirect("agents:mailbox_edit", mailbox_id=mailbox.pk)
    context = {
        "form": form,
        "mailbox": mailbox,
        "has_password": bool(mailbox.smtp_password_encrypted),
        "test_form": TestEmailForm(initial={"to": request.user.email}),
    }
    return render(request, "delivery/mailbox_form.html", context, status=400 if request.method == "POST" else 200)


@member_required(Role.ADMIN)
@require_POST
def mailbox_send_test(request, mailbox_id: int):
    mailbox = _get_mailbox_for_admin(request, mailbox_id)
    form = TestEmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the address to send the test email to.")
        return redirect("agents:mailbox_edit", mailbox_id=mailbox.pk)
    try:
        response = mailbox_services.mailbox_send_test(
            actor=request.membership, mailbox=mailbox, to=form.cleaned_data["to"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Test email sent to {form.cleaned_data['to']} ({response}).")
    return redirect("agents:mailbox_edit", mailbox_id=mailbox.pk)


# Suppression ------------------------------------------------------------------------------------


def _suppression_page(request, *, add_form=None, import_form=None, status: int = 200):
    search = SuppressionSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    context = {
        "page": _page(request, selectors.suppressions_of_workspace(workspace=request.workspace, query=query)),
        "search": search,
        "query": query,
        "add_form": add_form or SuppressionAddForm(),
        "import_form": import_form or SuppressionImportForm(),
    }
    template = "delivery/suppression_list.html#entries" if request.htmx and request.method == "GET" else None
    return render(request, template or "delivery/suppression_list.html", context, status=status)


@member_required(Role.ADMIN)
def suppression_list(request):
    return _suppression_page(request)


@member_required(Role.ADMIN)
@require_POST
def suppression_add(request):
    form = SuppressionAddForm(request.POST)
    if form.is_valid():
        try:
            entry = suppression_services.suppression_add(
                actor=request.membership, entry=form.cleaned_data["entry"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error("entry", error)
        else:
            messages.success(request, f"{entry.value} is suppressed: nothing more goes to it from any campaign.")
            return redirect("agents:suppression_list")
    return _suppression_page(request, add_form=form, status=400)


@member_required(Role.ADMIN)
@require_POST
def suppression_import(request):
    form = SuppressionImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > SUPPRESSION_IMPORT_MAX_BYTES:
            form.add_error("file", "Import files of at most 5 MB.")
        else:
            content = upload.read().decode("utf-8-sig", errors="replace")
            try:
                result = suppression_services.suppression_import(
                    actor=request.membership, content=content, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                text = f"Imported {result.added} entries ({result.already} were already on the list)."
                if result.invalid:
                    text += f" {len(result.invalid)} lines were skipped: {', '.join(result.invalid[:5])}"
                    text += "…" if len(result.invalid) > 5 else "."
                messages.success(request, text)
                return redirect("agents:suppression_list")
    return _suppression_page(request, import_form=form, status=400)


@member_required(Role.ADMIN)
@require_POST
def suppression_remove(request, suppression_id: int):
    try:
        entry = selectors.suppression_get(workspace=request.workspace, suppression_id=suppression_id)
    except Suppression.DoesNotExist:
        raise Http404 from None
    suppression_services.suppression_remove(actor=request.membership, suppression=entry)
    messages.success(request, f"{entry.value} was removed from the suppression list.")
    return redirect("agents:suppression_list")


# Outbox and sandbox ----------------------------------------------------------------------------


def _outbox_query(status: str, page_number) -> str:
    return urlencode({name: value for name, value in (("status", status), ("page", page_number)) if value})


@member_required(Role.MANAGER)
@require_GET
def outbox_list(request):
    form = OutboxFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = _page(request, selectors.outbox_messages(workspace=request.workspace, status=status))
    for message in page.object_list:
        message.can_send_now = _can_send_now(message, request.membership)
    context = {
        "form": form,
        "page": page,
        "status": status,
        "status_links": [
            (value, label, count, f"?{_outbox_query(value, None)}")
            for value, label, count in selectors.outbox_counts(workspace=request.workspace)
        ],
        "query": _outbox_query(status, None),
        "here": f"{request.path}?{_outbox_query(status, page.number)}",
    }
    if not request.htmx:
        return render(request, "delivery/outbox_list.html", context)
    response = render(request, "delivery/outbox_list.html#results", context)
    # The address bar shows the filter now applied, without the form's empty field for "All".
    return push_url(response, f"{request.path}?{context['query']}" if context["query"] else request.path)


def _get_message_for_member(request, message_id: int) -> OutboundMessage:
    try:
        return selectors.outbox_message_get(workspace=request.workspace, message_id=message_id)
    except OutboundMessage.DoesNotExist:
        raise Http404 from None


def _can_send_now(message: OutboundMessage, membership) -> bool:
    return message.status in send_now.SENDABLE_STATUSES and send_now.may_send_now(message=message, actor=membership)


@member_required(Role.MANAGER)
@require_GET
def outbox_detail(request, message_id: int):
    message = _get_message_for_member(request, message_id)
    message.can_send_now = _can_send_now(message, request.membership)
    return render(request, "delivery/outbox_detail.html", {"message": message, "here": request.path})


# A rep may hurry their own email (from wherever they wrote it); the outbox pages are a manager's.
@member_required(Role.REP)
@require_POST
def outbox_send_now(request, message_id: int):
    message = _get_message_for_member(request, message_id)
    try:
        result = send_now.outbound_send_now(message=message, actor=request.membership)
    except ValidationError as error:
        level, text, status = messages.ERROR, " ".join(error.messages), 409
    else:
        level, text, status = messages.SUCCESS, result.text, 200
    if request.htmx:
        message = _get_message_for_member(request, message_id)
        message.can_send_now = _can_send_now(message, request.membership)
        context = {"message": message, "note": text, "note_level": "error" if status == 409 else "success"}
        return render(request, "delivery/outbox_list.html#message-row", context, status=status)
    messages.add_message(request, level, text)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    if request.membership.has_role(Role.MANAGER):
        return redirect("agents:outbox_detail", message_id=message.pk)
    return redirect("review:inbox")


@member_required(Role.MANAGER)
@require_GET
def sandbox_list(request):
    mails = selectors.sandbox_mails(workspace=request.workspace, admin=request.membership.has_role(Role.ADMIN))
    return render(request, "delivery/sandbox_list.html", {"page": _page(request, mails), "query": ""})


def _get_sandbox_mail_for_member(request, mail_id: int) -> SandboxMail:
    try:
        return selectors.sandbox_mail_get(
            workspace=request.workspace, mail_id=mail_id, admin=request.membership.has_role(Role.ADMIN)
        )
    except SandboxMail.DoesNotExist:
        raise Http404 from None


# Links a person follows to play the recipient's part (an invitation, a reset, a booking page).
_LINK = re.compile(r"https?://[^\s<>\"']+")


@member_required(Role.MANAGER)
@require_GET
def sandbox_detail(request, mail_id: int):
    mail = _get_sandbox_mail_for_member(request, mail_id)
    headers = {name.lower(): value for name, value in mail.headers}
    unsubscribe_link = headers.get("list-unsubscribe", "").split(">")[0].lstrip("<")
    links = [link for link in dict.fromkeys(_LINK.findall(mail.text)) if link != unsubscribe_link]
    context = {
        "mail": mail,
        "unsubscribe_link": unsubscribe_link,
        "links": links,
        "attachments": sandbox_attachments(mail),
    }
    return render(request, "delivery/sandbox_detail.html", context)


@member_required(Role.MANAGER)
@require_GET
def sandbox_attachment(request, mail_id: int, index: int):
    mail = _get_sandbox_mail_for_member(request, mail_id)
    attachments = sandbox_attachments(mail)
    if index >= len(attachments):
        raise Http404
    attachment = attachments[index]
    # Always a download: an attachment of prospect mail must never render as a page of this site.
    response = HttpResponse(attachment.content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Unsubscribe (public) ----------------------------------------------------------------------------


# RFC 8058: mail clients send the one-click POST without our CSRF token or a session. The signed token in
# the URL is the authentication; a GET only shows the confirmation page and changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        target = unsubscribe_target(token)
    except UnsubscribeLinkInvalid:
        return render(request, "delivery/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        contact_unsubscribe(target=target, via="one-click" if one_click else "page")
        context = {"target": target, "done": True, "company_name": target.workspace.name}
        return render(request, "delivery/unsubscribe.html", context)
    already = target.contact.status == Contact.Status.UNSUBSCRIBED
    context = {"target": target, "already": already, "token": token, "company_name": target.workspace.name}
    return render(request, "delivery/unsubscribe.html", context)
