"""Inbound replies: receive (idempotently, losing nothing), match to a thread, classify, and act.

Any human reply stops the contact's sequence. What happens next depends on what the reply means:
unsubscribe and bounce suppress; out of office and "not now" move the sequence; negotiation goes to a
person and the agent stays silent; questions, objections and interest get a grounded answer that is
verified and routed like any draft; referrals become new contacts a person reviews."""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from agents.conversations import tasks
from agents.conversations.classify import REVIEW_BELOW, UNSUBSCRIBE, ClassifyInput, ClassifyOutput, classify
from agents.conversations.models import InboundMessage
from agents.conversations.parsing import (
    MalformedMessage,
    ParsedMessage,
    clean_text,
    parse_message,
    read_envelope,
    written_at,
)
from agents.delivery.health import delivery_record_bounce
from agents.delivery.models import EmailThread, Mailbox, OutboundMessage, Suppression
from agents.delivery.outbox import PENDING_STATUSES, cancel_pending_messages
from agents.delivery.suppression import address_suppress
from agents.delivery.unsubscribe import UnsubscribeTarget, contact_unsubscribe
from agents.handoffs import handoff_open, record_step
from agents.llm import LLMError, get_provider
from agents.meetings.services import offer_meeting
from agents.models import AgentRun, Handoff
from agents.outreach.budget import WorkspaceBudget
from agents.outreach.tasks import lead_batch_task
from campaigns.ingest import normalize_domain
from campaigns.models import Account, Campaign, Contact
from salesops.audit import audit_record
from salesops.models import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Received:
    inbound: InboundMessage
    created: bool


def inbound_receive(*, workspace: Workspace, raw: bytes, channel: str, size: int | None = None) -> Received:
    """Store an inbound message before anything else; the same message twice is one message.

    `size` is the message's whole length when `raw` holds only its first SALESOPS_INBOUND_MAX_BYTES.
    Oversized or unreadable messages are kept as failed, with the reason, and put in the inbox."""
    limit = settings.SALESOPS_INBOUND_MAX_BYTES
    size = max(size or 0, len(raw))
    raw = raw[:limit]
    failure = ""
    try:
        envelope = read_envelope(raw)  # the headers only: the whole message is parsed once, by the worker
    except MalformedMessage as error:
        envelope, failure = None, f"Unreadable message: {error}"
    if size > limit:
        # What was read of it still says who sent it and what about, for the person who looks.
        failure = f"The message is {size:,} bytes; the limit is {limit:,}: its first {limit:,} bytes are kept."
    dedupe_key = (envelope.message_id if envelope and envelope.message_id else "") or (
        "sha256:" + hashlib.sha256(raw).hexdigest()
    )
    fields = {
        "workspace": workspace,
        "channel": channel,
        "raw": raw,
        "size_bytes": size,
        "dedupe_key": dedupe_key[:300],
        "status": InboundMessage.Status.FAILED if failure else InboundMessage.Status.RECEIVED,
        "failure_reason": clean_text(failure),
        "from_address": envelope.from_address[:254] if envelope else "",
        "subject": envelope.subject[:400] if envelope else "",
    }
    # One transaction, one commit for the message, its audit record and (ORM broker) its task: receiving is
    # what a burst of mail waits on. With Redis the task is enqueued after the commit, so a worker never
    # looks for a message not yet committed.
    with transaction.atomic():
        try:
            with transaction.atomic():
                inbound = InboundMessage.objects.create(**fields)
        except IntegrityError:
            return Received(InboundMessage.objects.get(workspace=workspace, dedupe_key=fields["dedupe_key"]), False)
        _record_received(inbound, workspace=workspace, channel=channel, failure=failure)
    return Received(inbound, True)


def _record_received(inbound: InboundMessage, *, workspace: Workspace, channel: str, failure: str) -> None:
    audit_record(
        workspace=workspace,
        verb="inbound.failed" if failure else "inbound.received",
        actor=f"inbound:{channel}",
        target=inbound,
        after={"from": inbound.from_address, "subject": inbound.subject, "reason": failure},
    )
    if failure:  # kept, and in the inbox: never in a log only
        handoff_open(
            run=None,
            workspace_id=workspace.pk,
            kind=Handoff.Kind.EXCEPTION,
            reason=f"An email from {inbound.from_address or 'an unknown sender'} was kept but not processed: "
            f"{inbound.failure_reason}",
            proposal={"inbound": inbound.pk, "subject": inbound.subject},
            dedupe_key=f"inbound-failed:{inbound.pk}",
        )
    elif "orm" in settings.Q_CLUSTER:
        async_task(tasks.inbound_process_task, inbound.pk)  # the queue row commits with the message
    else:
        transaction.on_commit(lambda: async_task(tasks.inbound_process_task, inbound.pk))


def workspace_for_recipients(addresses: list[str]) -> Workspace | None:
    """Which workspace an email service provider's delivery is for: the thread token in a recipient
    address, else a mailbox whose address or reply-to domain it was sent to."""
    tokens = []
    for address in addresses:
        local = address.split("@", 1)[0]
        if "+" in local:
            tokens.append(local.split("+", 1)[1].removeprefix("unsubscribe-"))
    thread = EmailThread.objects.filter(reply_token__in=tokens).select_related("workspace").first()
    if thread:
        return thread.workspace
    domains = [address.split("@", 1)[-1] for address in addresses]
    mailbox = (
        Mailbox.objects.filter(Q(from_address__in=addresses) | Q(reply_to_domain__in=domains))
        .select_related("workspace")
        .first()
    )
    return mailbox.workspace if mailbox else None


def anymail_inbound_received(sender, event, esp_name, **kwargs) -> None:
    """django-anymail's inbound signal: the provider has checked the webhook secret; store the message."""
    message = event.message
    recipients = [address.addr_spec.lower() for address in (message.to or []) + (message.cc or [])]
    workspace = workspace_for_recipients(recipients)
    if workspace is None:
        logger.warning(
            "inbound email from %s via %s for %s matches no workspace", message.from_email, esp_name, recipients
        )
        return
    inbound_receive(workspace=workspace, raw=message.as_bytes(), channel=InboundMessage.Channel.ESP)


# Matching ---------------------------------------------------------------------------------------


def _thread_by_token(workspace_id: int, addresses: list[str]) -> EmailThread | None:
    tokens = []
    for address in addresses:
        local = address.split("@", 1)[0]
        tokens += [local.split("+", 1)[1]] if "+" in local else []
        tokens.append(local)
    return (
        EmailThread.objects.filter(workspace_id=workspace_id, reply_token__in=tokens)
        .select_related("contact", "campaign")
        .first()
    )


def match_thread(workspace_id: int, parsed: ParsedMessage) -> tuple[EmailThread | None, Contact | None, str]:
    """The per-thread reply-to token, then In-Reply-To/References, then the sender's address."""
    unsubscribe_tokens = [
        address.split("@", 1)[0].split("unsubscribe-", 1)[1]
        for address in parsed.to_addresses
        if "unsubscribe-" in address.split("@", 1)[0]
    ]
    if unsubscribe_tokens:  # the List-Unsubscribe mailto address: an unsubscribe whatever the body says
        thread = _thread_by_token(workspace_id, unsubscribe_tokens)
        if thread:
            return thread, thread.contact, "unsubscribe"
    thread = _thread_by_token(workspace_id, parsed.to_addresses)
    if thread:
        return thread, thread.contact, "token"
    # A delivery report names our email by the Message-ID of the message it returns.
    ids = ([parsed.returned_message_id] if parsed.returned_message_id else []) + parsed.in_reply_to + parsed.references
    if ids:
        message = (
            OutboundMessage.objects.filter(workspace_id=workspace_id, message_id__in=ids)
            .select_related("thread", "contact")
            .order_by("-created_at")
            .first()
        )
        if message:
            return message.thread, message.contact, "header"
    # A report from the null sender names no sender: an empty address must match no contact.
    addresses = [
        address for address in (parsed.bounced_addresses if parsed.bounce else [parsed.from_address]) if address
    ]
    contact = Contact.objects.filter(workspace_id=workspace_id, email__in=addresses).first() if addresses else None
    if contact:
        thread = EmailThread.objects.filter(contact=contact).order_by("-created_at").first()
        return thread, contact, "sender"
    return None, None, ""


# Processing -------------------------------------------------------------------------------------


def inbound_process(*, inbound_id: int, provider=None) -> InboundMessage:
    """Process one stored message. The claim is a change of status, so a task delivered twice (or a
    message picked up again while its first worker still runs) is processed once."""
    claimed = InboundMessage.objects.filter(pk=inbound_id, status=InboundMessage.Status.RECEIVED).update(
        status=InboundMessage.Status.PROCESSING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    inbound = InboundMessage.objects.select_related("workspace").get(pk=inbound_id)
    if not claimed:
        return inbound
    try:
        _process(inbound, provider or get_provider())
    except Exception as error:
        logger.exception("inbound message %s failed", inbound_id)
        inbound.status = InboundMessage.Status.FAILED
        inbound.failure_reason = clean_text(f"{type(error).__name__}: {error}")
        inbound.save(update_fields=["status", "failure_reason"])
        handoff_open(
            run=None,
            workspace_id=inbound.workspace_id,
            kind=Handoff.Kind.EXCEPTION,
            reason=f"A reply from {inbound.from_address or 'an unknown sender'} could not be processed: {error}",
            proposal={"inbound": inbound.pk, "subject": inbound.subject, "text": inbound.text},
            contact_id=inbound.contact_id,
            dedupe_key=f"inbound-failed:{inbound.pk}",
        )
    return inbound


INBOUND_MAX_ATTEMPTS = 3


def inbound_requeue_stale(*, now: datetime | None = None) -> int:
    """Pick up again what no worker finished: messages still waiting SALESOPS_INBOUND_STALE_MINUTES after
    they arrived (the task was lost), and claims that old (the worker died). A message whose processing
    stopped INBOUND_MAX_ATTEMPTS times fails and goes to the inbox. Returns how many were re-enqueued."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.SALESOPS_INBOUND_STALE_MINUTES)
    stale = InboundMessage.objects.filter(
        Q(status=InboundMessage.Status.RECEIVED, received_at__lt=cutoff, claimed_at__isnull=True)
        | Q(status=InboundMessage.Status.RECEIVED, claimed_at__lt=cutoff)
        | Q(status=InboundMessage.Status.PROCESSING, claimed_at__lt=cutoff)
    )
    requeued = []
    for inbound in stale.only("pk", "workspace_id", "status", "attempts", "from_address", "subject"):
        if inbound.attempts >= INBOUND_MAX_ATTEMPTS:
            reason = f"Processing stopped {inbound.attempts} times without finishing."
            if InboundMessage.objects.filter(pk=inbound.pk, status=inbound.status).update(
                status=InboundMessage.Status.FAILED, failure_reason=reason
            ):
                handoff_open(
                    run=None,
                    workspace_id=inbound.workspace_id,
                    kind=Handoff.Kind.EXCEPTION,
                    reason=f"A reply from {inbound.from_address or 'an unknown sender'} could not be processed: "
                    f"{reason}",
                    proposal={"inbound": inbound.pk, "subject": inbound.subject},
                    dedupe_key=f"inbound-failed:{inbound.pk}",
                )
            continue
        # Back to received with a fresh claim time, so the sweep does not enqueue it again next minute.
        if InboundMessage.objects.filter(pk=inbound.pk, status=inbound.status).update(
            status=InboundMessage.Status.RECEIVED, claimed_at=now
        ):
            requeued.append(inbound.pk)
    if requeued:
        logger.warning("inbound messages picked up again: %s", requeued)
        for pk in requeued:
            async_task(tasks.inbound_process_task, pk)
    return len(requeued)


def _process(inbound: InboundMessage, provider) -> None:
    parsed = parse_message(bytes(inbound.raw), received_at=inbound.received_at)
    inbound.from_address, inbound.subject = parsed.from_address[:254], parsed.subject[:400]
    inbound.text = parsed.text[:READ_CHARS]
    inbound.processed_at = timezone.now()
    thread, contact, matched_by = match_thread(inbound.workspace_id, parsed)
    inbound.thread, inbound.contact, inbound.matched_by = thread, contact, matched_by
    output = _classify(inbound, parsed, provider)
    if matched_by == "unsubscribe":
        output = ClassifyOutput(category="unsubscribe", confidence=1, span="List-Unsubscribe mailto")
    inbound.category = output.category
    inbound.classification = output.model_dump(mode="json")
    if contact is None:
        inbound.status = InboundMessage.Status.UNMATCHED
        inbound.action = "Not matched to a conversation: waiting in the inbox."
        inbound.save()
        handoff_open(
            run=None,
            workspace_id=inbound.workspace_id,
            kind=Handoff.Kind.REPLY_REVIEW,
            reason=f"Unmatched email from {parsed.from_address or 'a mail server (no sender address)'}: no thread, "
            "reference or contact fits it.",
            proposal={"inbound": inbound.pk, "subject": parsed.subject, "text": parsed.text, "unmatched": True},
            dedupe_key=f"inbound:{inbound.pk}",
        )
        return
    with transaction.atomic():
        inbound.action = _act(inbound, parsed, output, thread, contact)
        inbound.status = InboundMessage.Status.PROCESSED
        inbound.save()
    audit_record(
        workspace=inbound.workspace,
        verb=f"inbound.{output.category}",
        actor="agent:classifier",
        target=inbound,
        after={"contact": contact.pk, "matched_by": matched_by, "action": inbound.action, "span": output.span},
    )


# What the agents read of a reply: its first 20,000 characters of new text (what the inbox shows) and
# 200,000 of its HTML. Nobody answers a longer reply by its tail, and reading it all would make one
# hostile message cost minutes; a reply cut short goes to a person (see _act).
READ_CHARS = 20_000
READ_HTML_CHARS = 200_000


def _classify(inbound: InboundMessage, parsed: ParsedMessage, provider) -> ClassifyOutput:
    data = ClassifyInput(
        subject=parsed.subject[:1000],
        text=parsed.text[:READ_CHARS],
        html=parsed.html[:READ_HTML_CHARS],
        auto_reply=parsed.auto_reply,
        auto_reply_headers=parsed.auto_reply_headers,
        return_date=parsed.return_date,
        bounce=parsed.bounce,
        today=written_at(parsed.sent_at, inbound.received_at).date(),
    )
    budget = WorkspaceBudget(inbound.workspace_id)
    try:
        call = classify(data, provider=provider, budget=budget)
    except LLMError as error:
        record_step(
            None,
            "classify",
            workspace_id=inbound.workspace_id,
            data=data,
            provider=getattr(provider, "name", ""),
            model="",
            error=f"{type(error).__name__}: {error.message}",
            cost=error.cost_usd,
        )
        raise
    record_step(
        None,
        "classify",
        workspace_id=inbound.workspace_id,
        data=data,
        call=call,
        decision=call.output.category,
        confidence=call.output.confidence,
    )
    return call.output


def _cancel_waiting(contact: Contact, reason: str) -> int:
    return cancel_pending_messages(
        workspace_id=contact.workspace_id,
        contact_ids=[contact.pk],
        reason=reason,
        text=f"Cancelled: the contact {'replied' if reason == 'replied' else 'bounced'}.",
    )


def _stop_sequence(contact: Contact, thread: EmailThread | None) -> int:
    """Any human reply stops the contact's sequence: nothing queued leaves, no further step is drafted."""
    if thread is not None and thread.replied_at is None:
        EmailThread.objects.filter(pk=thread.pk).update(replied_at=timezone.now())
    if contact.status in (Contact.Status.NEW, Contact.Status.IN_SEQUENCE):
        Contact.objects.filter(pk=contact.pk).update(status=Contact.Status.REPLIED)
    return _cancel_waiting(contact, "replied")


def _act(inbound, parsed: ParsedMessage, output: ClassifyOutput, thread, contact: Contact) -> str:
    category = output.category
    workspace_id = inbound.workspace_id
    campaign_id = thread.campaign_id if thread else None
    if category == "bounce":
        sent = OutboundMessage.objects.filter(contact=contact, status=OutboundMessage.Status.SENT)
        returned = parsed.returned_message_id and sent.filter(message_id=parsed.returned_message_id).first()
        message = returned or sent.order_by("-sent_at", "-pk").first()
        if message is None and not parsed.permanent_bounce:
            return "Temporary delivery failure (no sent email found): nothing suppressed."
        if message is None:
            Contact.objects.filter(pk=contact.pk).update(status=Contact.Status.BOUNCED)
            address_suppress(
                workspace_id=contact.workspace_id,
                email=contact.email,
                reason=Suppression.Reason.BOUNCE,
                note="from a reply",
            )
            _cancel_waiting(contact, "bounced")
            return "Bounced (no sent email found): contact suppressed."
        delivery_record_bounce(message=message, detail=parsed.subject[:200], permanent=parsed.permanent_bounce)
        if not parsed.permanent_bounce:
            return "Temporary delivery failure: nothing suppressed."
        return "Bounced: contact suppressed, waiting email cancelled, mailbox bounce rate updated."
    if category == "out_of_office" and not output.needs_person:
        back, why = _date_or_default(output.not_now_until or parsed.return_date, default_days=7, named="return date")
        resume_on = back + timedelta(days=1)  # the day after they are back: not into a full inbox
        _defer(contact, resume_on)
        return f"Out of office: the next step waits until {resume_on.isoformat()} ({why})."

    cancelled = _stop_sequence(contact, thread)
    if len(parsed.text) > READ_CHARS and category != "unsubscribe":
        handoff_open(
            run=None,
            workspace_id=workspace_id,
            kind=Handoff.Kind.REPLY_REVIEW,
            reason=f"The reply is {len(parsed.text):,} characters long; the agents read only the first "
            f"{READ_CHARS:,} (they took it for {category.replace('_', ' ')}). A person reads it and answers.",
            proposal=_proposal(inbound, output),
            campaign_id=campaign_id,
            contact_id=contact.pk,
            dedupe_key=f"inbound:{inbound.pk}",
        )
        return "Too long to read in full: handed to a person."
    # An unsubscribe is honoured at once when the reply's words ask to stop or the classifier is sure of
    # it; a reading it merely leans to ("mark me as qualified" at 21%) waits for a person, and nothing is
    # sent meanwhile (any reply has stopped the sequence).
    unsubscribe_asked = category == "unsubscribe" and (
        output.confidence >= REVIEW_BELOW or bool(UNSUBSCRIBE.search(f"{inbound.subject}\n{inbound.text}"))
    )
    if output.injection_span:
        # Nothing a flagged reply asks for is done (no answer, meeting, referral, forward or cc, no
        # qualification, nobody else unsubscribed): a person reads it. Only the sender's own request to
        # hear no more is honoured, for the sender alone.
        own_unsubscribe = unsubscribe_asked and asks_to_unsubscribe_the_sender(inbound.text, contact.email)
        handoff_open(
            run=None,
            workspace_id=workspace_id,
            kind=Handoff.Kind.REPLY_REVIEW,
            reason=f"The reply contains instructions to the agents ({output.injection_span!r}); they were not "
            "followed. A person decides how to answer."
            + (" The sender was unsubscribed, as they asked." if own_unsubscribe else ""),
            proposal=_proposal(inbound, output),
            campaign_id=campaign_id,
            contact_id=contact.pk,
            dedupe_key=f"inbound:{inbound.pk}",
        )
        if not own_unsubscribe:
            return "Flagged: instruction-like text; nothing it asks was done; a person answers."
    if output.needs_person and category != "negotiation" and not unsubscribe_asked:
        # An error here would act wrongly (answer an objection as interest, defer a person as an
        # auto-reply): a person reads it first; the sequence has stopped and nothing is sent.
        handoff_open(
            run=None,
            workspace_id=workspace_id,
            kind=Handoff.Kind.REPLY_REVIEW,
            reason=f"The classifier is unsure of {contact.name}'s reply: {output.person_reason}. A person reads "
            "it and decides.",
            proposal=_proposal(inbound, output),
            campaign_id=campaign_id,
            contact_id=contact.pk,
            dedupe_key=f"inbound:{inbound.pk}",
        )
        return f"Unsure: {output.person_reason}. Handed to a person."
    if category == "unsubscribe":
        contact_unsubscribe(
            target=UnsubscribeTarget(workspace=inbound.workspace, contact=contact, message_pk=None), via="reply"
        )
        return f"Unsubscribed at once for every campaign; {cancelled} waiting email cancelled; no reply sent."
    if category == "negotiation":
        handoff_open(
            run=None,
            workspace_id=workspace_id,
            kind=Handoff.Kind.NEGOTIATION,
            reason=f"{contact.name} raises {output.negotiation_kind.replace('_', ' ') or 'terms'}: "
            f"{output.span!r}. A person negotiates; the agents stay silent.",
            proposal=_proposal(inbound, output),
            campaign_id=campaign_id,
            contact_id=contact.pk,
            dedupe_key=f"inbound:{inbound.pk}",
        )
        return "Negotiation: handed to a person; the agent stays silent."
    if category == "not_now":
        resume_on, why = _date_or_default(output.not_now_until, default_days=90, named="date")
        _defer(contact, resume_on)
        done = f"Not now: a follow-up is due on {resume_on.isoformat()} ({why})."
        if "referral" in output.also and output.referral_email:
            # "Not now, but ask Ana": both are acted on.
            done += " " + _referral(inbound, output, contact, campaign_id)
        return done
    if category == "referral":
        return _referral(inbound, output, contact, campaign_id)
    if category == "wrong_person":
        return "Wrong person: the sequence stopped."
    if category in ("question", "objection", "interested"):
        return answer_reply(inbound=inbound, output=output, contact=contact, thread=thread)
    handoff_open(
        run=None,
        workspace_id=workspace_id,
        kind=Handoff.Kind.REPLY_REVIEW,
        reason=f"A reply from {contact.name} needs a person: it fits no category the agents answer.",
        proposal=_proposal(inbound, output),
        campaign_id=campaign_id,
        contact_id=contact.pk,
        dedupe_key=f"inbound:{inbound.pk}",
    )
    return "Handed to a person."


# "Unsubscribe me", "remove me", "take me off", "don't email me", "abmelden", "désinscrire"…: a person asks
# for themselves.
_OWN_UNSUBSCRIBE = re.compile(
    r"\b(?:unsubscribe|remove|take|opt)\s+me\b|\bme (?:off|out)\b|(?:email|contact|write to|mail) me\b"
    r"|\bno more (?:emails|messages)\b|\bmich\b|\bmoi\b|\bme\s+(?:d[ée]sabonner|d[ée]sinscrire|contactez)"
    r"|\bdarme\b|\bno me\b|\beliminarme\b|\bborrarme\b",
    re.IGNORECASE,
)
# Someone other than the sender: another address, a colleague, a team.
_SOMEONE_ELSE = re.compile(
    r"\b(?:colleagues?|co-?workers?|team|everyone|everybody|all of us|boss|manager|ceo|cfo|cto|him|her|them"
    r"|kolleg(?:e|in|en)|coll[èe]gues?|[ée]quipe|colegas?|equipo)\b",
    re.IGNORECASE,
)
# The look-behind starts a match only where an address can start: linear in a long unbroken token.
_ADDRESS = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+")


def asks_to_unsubscribe_the_sender(text: str, sender: str) -> bool:
    """Whether an unsubscribe request is the sender's for themselves: said in the first person, or naming
    nobody else (no other address, no colleague). A request for someone else unsubscribes nobody."""
    if _OWN_UNSUBSCRIBE.search(text or ""):
        return True
    others = {address.lower().rstrip(".") for address in _ADDRESS.findall(text or "")} - {sender.lower()}
    return not others and not _SOMEONE_ELSE.search(text or "")


def _proposal(inbound: InboundMessage, output: ClassifyOutput) -> dict:
    return {
        "inbound": inbound.pk,
        "subject": inbound.subject,
        "text": inbound.text,
        "classification": output.model_dump(mode="json"),
    }


def _date_or_default(stated: date | None, *, default_days: int, named: str) -> tuple[date, str]:
    """The date a reply names; with none, the default wait; with one already past (a reply read late),
    today. With the reason, shown on the reply in the inbox."""
    today = timezone.localdate()
    if stated is None:
        return today + timedelta(days=default_days), f"no {named} in the reply: {default_days} days, the default"
    if stated < today:
        return today, f"the {named} it names, {stated.isoformat()}, has passed: from today"
    return stated, f"the {named} in the reply: {stated.isoformat()}"


def _defer(contact: Contact, resume_on: date) -> None:
    """Nothing of the sequence leaves before `resume_on`; what was waiting is rescheduled after it."""
    Contact.objects.filter(pk=contact.pk).update(sequence_resume_on=resume_on)
    not_before = timezone.make_aware(datetime.combine(resume_on, datetime.min.time()))
    OutboundMessage.objects.filter(contact=contact, status__in=PENDING_STATUSES).update(
        status=OutboundMessage.Status.QUEUED, not_before=not_before, scheduled_for=None, send_day=None, mailbox=None
    )


def _referral(inbound, output: ClassifyOutput, contact: Contact, campaign_id) -> str:
    if not output.referral_email:
        handoff_open(
            run=None,
            workspace_id=inbound.workspace_id,
            kind=Handoff.Kind.REPLY_REVIEW,
            reason=f"{contact.name} refers to {output.referral_name or 'someone else'} without an address.",
            proposal=_proposal(inbound, output),
            campaign_id=campaign_id,
            contact_id=contact.pk,
            dedupe_key=f"inbound:{inbound.pk}",
        )
        return "Referral without an address: a person follows up."
    email = output.referral_email.lower()
    domain = normalize_domain(email.split("@", 1)[1])
    account = Account.objects.filter(workspace_id=inbound.workspace_id, domain=domain).first() or contact.account
    first, _, last = output.referral_name.partition(" ")
    # "Ask Ana, but she is on leave until 11 January": nothing goes to her before the day the reply names.
    wait = output.not_now_until if output.not_now_until and output.not_now_until > timezone.localdate() else None
    referred, created = Contact.objects.get_or_create(
        workspace_id=inbound.workspace_id,
        email=email,
        defaults={
            "account": account,
            "first_name": first,
            "last_name": last,
            "referred_by": contact,
            "sequence_resume_on": wait,
        },
    )
    waiting = f" {contact.name} says not before {wait.isoformat()}: nothing goes to them until then." if wait else ""
    handoff_open(
        run=None,
        workspace_id=inbound.workspace_id,
        kind=Handoff.Kind.REPLY_REVIEW,
        reason=f"{contact.name} referred {referred.name} <{email}>. Review the new contact; the agents draft the "
        f"introduction for a person to approve.{waiting}",
        proposal={**_proposal(inbound, output), "referred_contact": referred.pk, "created": created},
        campaign_id=campaign_id,
        contact_id=referred.pk,
        dedupe_key=f"inbound:{inbound.pk}",
    )
    return f"Referral: {'added' if created else 'found'} {email} for review."


_REPLY_PREFIXES = re.compile(r"^\s*(?:(?:re|aw|sv|rv|r|wg|fwd?|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def reply_subject(subject: str) -> str:
    """The subject of an answer: the conversation's own, with one "Re: " (never "Re: AW: Re: …")."""
    base = _REPLY_PREFIXES.sub("", " ".join((subject or "").split()))
    return f"Re: {base}"[:200] if base else "Re: our conversation"


def _thread_subject(thread) -> str:
    if thread is None:
        return ""
    first = OutboundMessage.objects.filter(thread=thread).order_by("created_at", "pk").values_list("subject", flat=True)
    return first.first() or ""


def answer_reply(*, inbound, output: ClassifyOutput, contact: Contact, thread) -> str:
    """Questions, objections and interest get an answer drafted from the proof library and the thread,
    verified and routed like any draft (interest: concrete meeting times and a booking link)."""
    campaign_id = thread.campaign_id if thread else None
    if campaign_id is None:
        campaign_id = contact.runs.order_by("-created_at").values_list("campaign_id", flat=True).first()
    if campaign_id is None:
        handoff_open(
            run=None,
            workspace_id=inbound.workspace_id,
            kind=Handoff.Kind.REPLY_REVIEW,
            reason=f"{contact.name} replied ({output.category}) outside any campaign: a person answers.",
            proposal=_proposal(inbound, output),
            contact_id=contact.pk,
            dedupe_key=f"inbound:{inbound.pk}",
        )
        return f"{output.category.capitalize()} outside a campaign: handed to a person."
    campaign = Campaign.objects.get(pk=campaign_id)
    meeting_offer = ""
    if output.category == "interested" or "interested" in output.also:  # "how does X work? Let's talk"
        try:
            meeting_offer = offer_meeting(contact=contact, campaign=campaign)["text"]
        except Exception as error:  # no rep or no availability: the answer goes out without times
            logger.warning("no meeting offer for contact %s: %s", contact.pk, error)
    earlier = contact.runs.filter(campaign_id=campaign_id, brief__isnull=False).order_by("-created_at").first()
    run, _ = AgentRun.objects.get_or_create(
        inbound_message=inbound,
        defaults={
            "workspace_id": inbound.workspace_id,
            "campaign_id": campaign_id,
            "contact": contact,
            "step_position": 0,
            "brief": earlier.brief if earlier else None,
            "reply_context": {
                "text": inbound.text,
                "category": output.category,
                "meeting_offer": meeting_offer,
                "subject": reply_subject(_thread_subject(thread) or inbound.subject),
            },
        },
    )
    transaction.on_commit(lambda: async_task(lead_batch_task, [run.pk]))
    return f"{output.category.capitalize()}: an answer is being drafted (run {run.pk})."
