"""Mailboxes: admins add and change them (the password is encrypted and never shown again) and send
a test email through one."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from agents.delivery.crypto import SecretUnreadable, encrypt
from agents.delivery.models import Mailbox, OutboundMessage
from agents.delivery.transport import DeliveryError, transport_for
from campaigns.models import Campaign
from salesops.audit import member_audit
from salesops.models import Membership, Role

EDITABLE_FIELDS = [
    "from_name",
    "from_address",
    "reply_to_domain",
    "transport",
    "smtp_host",
    "smtp_port",
    "smtp_username",
    "smtp_security",
    "esp",
    "imap_host",
    "imap_port",
    "imap_use_ssl",
    "imap_username",
    "imap_folder",
    "daily_cap",
    "warmup_started_on",
    "signature",
    "status",
]


def _require_admin(actor: Membership) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins manage mailboxes.")


def _apply(
    mailbox: Mailbox,
    *,
    actor: Membership,
    fields: dict,
    password: str,
    campaigns,
    imap_password: str = "",
    esp_api_key: str = "",
) -> dict:
    changes = {}
    for name in EDITABLE_FIELDS:
        if name in fields and getattr(mailbox, name) != fields[name]:
            changes[name] = fields[name]
            setattr(mailbox, name, fields[name])
    mailbox.from_address = mailbox.from_address.lower()
    mailbox.reply_to_domain = mailbox.reply_to_domain.lower().strip()
    if mailbox.daily_cap > Mailbox.HARD_MAX_DAILY_CAP:
        raise ValidationError(f"A mailbox sends at most {Mailbox.HARD_MAX_DAILY_CAP} emails a day.")
    if mailbox.transport == Mailbox.Transport.SMTP and not mailbox.smtp_host:
        raise ValidationError("A mailbox with its own SMTP server needs the server's host name.")
    if password:
        mailbox.smtp_password_encrypted = encrypt(password)
        changes["smtp_password"] = "(changed)"  # noqa: S105  (a marker: the secret never reaches the audit log)
    if mailbox.transport == Mailbox.Transport.ESP and not mailbox.esp:
        raise ValidationError("Choose the email service provider this mailbox sends through.")
    if esp_api_key:
        mailbox.esp_api_key_encrypted = encrypt(esp_api_key)
        changes["esp_api_key"] = "(changed)"
    if mailbox.transport == Mailbox.Transport.ESP and not mailbox.esp_api_key_encrypted:
        raise ValidationError("A mailbox that sends through a provider needs the provider's API key.")
    if imap_password:
        mailbox.imap_password_encrypted = encrypt(imap_password)
        changes["imap_password"] = "(changed)"  # noqa: S105  (a marker, never the secret)
    if "status" in changes and mailbox.status == Mailbox.Status.ACTIVE:
        mailbox.stopped_reason = ""
    mailbox.full_clean(exclude=["campaigns", "workspace"])
    mailbox.save()
    if campaigns is not None:
        chosen = list(Campaign.objects.filter(workspace=actor.workspace, pk__in=[c.pk for c in campaigns]))
        before = set(mailbox.campaigns.values_list("pk", flat=True))
        mailbox.campaigns.set(chosen)
        if before != {campaign.pk for campaign in chosen}:
            changes["campaigns"] = sorted(campaign.name for campaign in chosen)
    return changes


@transaction.atomic
def mailbox_create(
    *,
    actor: Membership,
    fields: dict,
    password: str = "",
    campaigns=None,
    imap_password: str = "",
    esp_api_key: str = "",
) -> Mailbox:
    _require_admin(actor)
    if Mailbox.objects.filter(workspace=actor.workspace, from_address=fields["from_address"].lower()).exists():
        raise ValidationError(f"{fields['from_address']} is already a mailbox of this workspace.")
    mailbox = Mailbox(workspace=actor.workspace)
    changes = _apply(
        mailbox,
        actor=actor,
        fields=fields,
        password=password,
        campaigns=campaigns,
        imap_password=imap_password,
        esp_api_key=esp_api_key,
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="mailbox.created",
        target=mailbox,
        after=changes,
    )
    return mailbox


@transaction.atomic
def mailbox_update(
    *,
    actor: Membership,
    mailbox: Mailbox,
    fields: dict,
    password: str = "",
    campaigns=None,
    imap_password: str = "",
    esp_api_key: str = "",
) -> Mailbox:
    _require_admin(actor)
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk, workspace=actor.workspace)
    before = {name: getattr(mailbox, name) for name in EDITABLE_FIELDS}
    changes = _apply(
        mailbox,
        actor=actor,
        fields=fields,
        password=password,
        campaigns=campaigns,
        imap_password=imap_password,
        esp_api_key=esp_api_key,
    )
    if changes:
        member_audit(
            workspace=actor.workspace,
            user=actor.user,
            verb="mailbox.changed",
            target=mailbox,
            before={name: before[name] for name in changes if name in before},
            after=changes,
        )
    if changes.get("status") in (Mailbox.Status.PAUSED,):
        OutboundMessage.objects.filter(mailbox=mailbox, status=OutboundMessage.Status.SCHEDULED).update(
            status=OutboundMessage.Status.QUEUED,
            scheduled_for=None,
            send_day=None,
            decision=f"Back in the queue: mailbox {mailbox.from_address} was paused.",
        )
    return mailbox


def mailbox_send_test(*, actor: Membership, mailbox: Mailbox, to: str) -> str:
    """Send one test email through the mailbox now; the server's answer, or ValidationError saying why not."""
    _require_admin(actor)
    email = EmailMultiAlternatives(
        subject=f"salesops test email from {mailbox.from_address}",
        body=f"This test was sent by {actor.user.email} at {timezone.now():%Y-%m-%d %H:%M} UTC through "
        f"{mailbox.from_address}. If you can read it, the mailbox works.\n",
        from_email=f"{mailbox.from_name} <{mailbox.from_address}>",
        to=[to],
    )
    try:
        with transport_for(mailbox) as transport:
            response = transport.send(email)
    except (DeliveryError, SecretUnreadable) as error:
        detail = getattr(error, "message", str(error))
        _audit_test(actor, mailbox, to, f"failed: {detail}")
        raise ValidationError(f"The test email was not sent: {detail}") from None
    _audit_test(actor, mailbox, to, f"sent: {response}")
    return response


def _audit_test(actor: Membership, mailbox: Mailbox, to: str, outcome: str) -> None:
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="mailbox.test_sent",
        target=mailbox,
        after={"to": to, "outcome": outcome},
    )
