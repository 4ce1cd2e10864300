"""Unsubscribing: the signed link in every email (RFC 8058 one-click), and what an unsubscribe does.

The link carries a signed token (workspace, contact, message), so it works without signing in and
cannot be forged; it does not expire, as unsubscribe links must keep working."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agents.delivery.models import Suppression
from agents.delivery.outbox import cancel_pending_messages
from agents.delivery.suppression import address_suppress
from campaigns.models import Contact
from salesops.audit import audit_record
from salesops.models import Workspace

UNSUBSCRIBE_SALT = "salesops.unsubscribe"


class UnsubscribeLinkInvalid(Exception):
    """The token was altered or made up."""


@dataclass(frozen=True)
class UnsubscribeTarget:
    workspace: Workspace
    contact: Contact
    message_pk: int | None


def unsubscribe_token(*, workspace_id: int, contact_id: int, message_pk: int | None) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object(
        {"w": workspace_id, "c": contact_id, "m": message_pk}, compress=True
    )


def unsubscribe_url(token: str) -> str:
    return settings.SITE_URL + reverse("agents:unsubscribe", args=[token])


def unsubscribe_target(token: str) -> UnsubscribeTarget:
    try:
        payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
        contact = Contact.objects.select_related("workspace").get(pk=payload["c"], workspace_id=payload["w"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, Contact.DoesNotExist):
        raise UnsubscribeLinkInvalid("This unsubscribe link is not valid.") from None
    return UnsubscribeTarget(workspace=contact.workspace, contact=contact, message_pk=payload.get("m"))


@transaction.atomic
def contact_unsubscribe(*, target: UnsubscribeTarget, via: str) -> bool:
    """Suppress the address for every campaign of the workspace and cancel what is pending.
    Idempotent: False when the address was already unsubscribed."""
    contact = Contact.objects.select_for_update().get(pk=target.contact.pk)
    created = address_suppress(
        workspace_id=contact.workspace_id,
        email=contact.email,
        reason=Suppression.Reason.UNSUBSCRIBE,
        note=f"via {via}",
    )
    changed = contact.status != Contact.Status.UNSUBSCRIBED
    if changed:
        contact.status = Contact.Status.UNSUBSCRIBED
        contact.save(update_fields=["status", "updated_at"])
    cancelled = cancel_pending_messages(
        workspace_id=contact.workspace_id,
        contact_ids=[contact.pk],
        reason="unsubscribed",
        text="Cancelled: the contact unsubscribed.",
    )
    if changed or created:
        audit_record(
            workspace=target.workspace,
            verb="contact.unsubscribed",
            actor=f"recipient:{via}",
            target=contact,
            after={"message": target.message_pk, "cancelled_messages": cancelled, "at": timezone.now()},
        )
    return changed or created
