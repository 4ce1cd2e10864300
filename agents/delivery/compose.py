"""The email itself: text and HTML parts, the unsubscribe line and headers (RFC 8058), the postal
address, the reply-to address with the thread's token, and threading headers for follow-ups."""

from dataclasses import dataclass
from email.utils import formataddr

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from agents.delivery.models import EmailThread, Mailbox, OutboundMessage
from agents.delivery.unsubscribe import unsubscribe_token, unsubscribe_url
from campaigns.models import Contact

UNSUBSCRIBE_LINE = "If you'd rather not hear from me again, unsubscribe here: {url}"


def _tagged_address(mailbox: Mailbox, tag: str) -> str:
    """reply+<tag>@<reply-to domain>, or the sender's own address plus-tagged when there is none."""
    if mailbox.reply_to_domain:
        return f"reply+{tag}@{mailbox.reply_to_domain.lower()}"
    local, _, domain = mailbox.from_address.partition("@")
    return f"{local}+{tag}@{domain}"


def reply_address(mailbox: Mailbox, thread: EmailThread) -> str:
    return _tagged_address(mailbox, thread.reply_token)


def unsubscribe_mailto(mailbox: Mailbox, thread: EmailThread) -> str:
    return _tagged_address(mailbox, f"unsubscribe-{thread.reply_token}")


@dataclass(frozen=True)
class Composed:
    email: EmailMultiAlternatives
    text: str
    html: str
    in_reply_to: str
    references: str
    unsubscribe_url: str


def compose(
    *,
    message: OutboundMessage,
    mailbox: Mailbox,
    thread: EmailThread,
    contact: Contact,
    postal_address: str,
    earlier_message_ids: list[str],
) -> Composed:
    """Build the email for `message`. `earlier_message_ids`: the thread's sent Message-IDs, oldest first."""
    link = unsubscribe_url(
        unsubscribe_token(workspace_id=message.workspace_id, contact_id=contact.pk, message_pk=message.pk)
    )
    body = message.body_text.strip()
    signature = mailbox.signature.strip()
    closing = [signature] if signature and signature not in body else []
    postal = postal_address.strip()
    footer = [postal] if postal and postal not in body else []
    footer.append(UNSUBSCRIBE_LINE.format(url=link))
    text = "\n\n".join([body, *closing]) + "\n\n-- \n" + "\n".join(footer) + "\n"
    html = render_to_string(
        "delivery/email/message.html",
        {
            "paragraphs": [part for part in body.split("\n\n") if part.strip()],
            "signature": closing[0] if closing else "",
            "postal_address": footer[0] if len(footer) > 1 else "",
            "unsubscribe_url": link,
        },
    )
    in_reply_to = earlier_message_ids[-1] if earlier_message_ids else ""
    references = " ".join(earlier_message_ids)
    headers = {
        "Message-ID": message.message_id,
        "List-Unsubscribe": f"<{link}>, <mailto:{unsubscribe_mailto(mailbox, thread)}?subject=unsubscribe>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = references
    recipient_name = f"{contact.first_name} {contact.last_name}".strip()
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        from_email=formataddr((mailbox.from_name, mailbox.from_address)),
        to=[formataddr((recipient_name, contact.email)) if recipient_name else contact.email],
        reply_to=[formataddr((mailbox.from_name, reply_address(mailbox, thread)))],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return Composed(
        email=email, text=text, html=html, in_reply_to=in_reply_to, references=references, unsubscribe_url=link
    )
