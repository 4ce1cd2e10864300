"""The sandbox: in development (no mail server, SALESOPS_MAIL_SANDBOX on) every email is kept in
Settings → Sandbox mail instead of being sent, prospect mail and the app's own mail alike, so a person can
follow a whole loop (invitation, password reset, meeting invitation) in the browser.

Which workspace a system email belongs to: the sender says so when it knows (`sandbox_workspace_id` on
the message: an invitation, a meeting invitation); otherwise (allauth's password reset, email
confirmation) it is filed under every workspace its recipient is a member of. An email whose recipient
has no account anywhere (allauth's "no account with this address" notice) has no workspace to go to: it is
printed on the console, as Django's console backend does, rather than shown to some workspace's admins.

Mail that carries a way into an account (password resets, invitations) is shown to admins only: with the
sandbox readable by managers, a manager must not be able to open a reset link sent to an admin."""

import email.policy
from dataclasses import dataclass
from email import message_from_bytes, message_from_string
from email.message import EmailMessage as ParsedMessage

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from agents.delivery.models import SandboxMail
from salesops.models import Membership


def sandbox_keep(message: EmailMessage, *, workspace_ids: list[int], admins_only: bool = False) -> list[SandboxMail]:
    """One sandbox row per workspace for `message`, exactly as it would have left."""
    raw = message.message(policy=email.policy.SMTP).as_bytes()
    parsed = message_from_bytes(raw, policy=email.policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    fields = {
        "message_id": getattr(message, "outbound_pk", None),
        "from_header": str(parsed["From"])[:400],
        "to_header": str(parsed["To"])[:400],
        "subject": str(parsed["Subject"] or "")[:400],
        "headers": [[name, str(value)] for name, value in parsed.items()],
        "text": text.get_content() if text is not None else "",
        "html": html.get_content() if html is not None else "",
        "raw": raw.decode("utf-8", errors="replace"),
        "admins_only": admins_only,
    }
    return [SandboxMail.objects.create(workspace_id=workspace_id, **fields) for workspace_id in workspace_ids]


def _recipient_workspace_ids(message: EmailMessage) -> list[int]:
    addresses = {address.rpartition("<")[2].rstrip(">").strip().lower() for address in message.recipients()}
    if not addresses:
        return []
    memberships = Membership.objects.filter(user__email__in=addresses)
    return sorted(set(memberships.values_list("workspace_id", flat=True)))


class SystemMailSandboxBackend(ConsoleEmailBackend):
    """Django's default mailer in sandbox mode: keeps the app's own mail beside the prospect mail."""

    def send_messages(self, email_messages):
        for message in email_messages:
            explicit = getattr(message, "sandbox_workspace_id", None)
            workspace_ids = [explicit] if explicit else _recipient_workspace_ids(message)
            admins_only = getattr(message, "sandbox_admins_only", explicit is None)
            if workspace_ids:
                sandbox_keep(message, workspace_ids=workspace_ids, admins_only=admins_only)
            else:
                super().send_messages([message])
        return len(email_messages)


@dataclass(frozen=True)
class Attachment:
    index: int
    filename: str
    content_type: str
    content: bytes

    @property
    def is_text(self) -> bool:
        return self.content_type.startswith("text/")

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def _parsed(mail: SandboxMail) -> ParsedMessage:
    return message_from_string(mail.raw, policy=email.policy.default)


def sandbox_attachments(mail: SandboxMail) -> list[Attachment]:
    """The attachments of a kept email (a meeting's invite.ics…), decoded from its raw source."""
    found = []
    for index, part in enumerate(_parsed(mail).iter_attachments()):
        content = part.get_payload(decode=True) or b""
        found.append(
            Attachment(
                index=index,
                filename=part.get_filename() or f"attachment-{index + 1}",
                content_type=part.get_content_type(),
                content=content,
            )
        )
    return found
