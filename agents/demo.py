"""Demo: two warm sandbox mailboxes for the demo campaign, one inbox item where the demo rep's edit was
blocked, then the campaign's first tick in the background (the worker of `make run` picks it up; approved
emails then appear under Settings → Sandbox mail).

The blocked edit shows what the verifier does with a person's words, not only an agent's: the demo rep
(rep@demo.test) took the agents' draft to a tier A account (a person always handles those), added a
referral naming someone no source mentions, and tried to send it. The verifier found the name in no
source (an unsupported fact) and blocked the edit: nothing was sent, and the item keeps the rep's version
with the findings, so the rep can fix it (or override the finding with a note) from the editor, which
opens with it. It goes through the real services (enrolment, the lead's pipeline with the offline
provider, the edit decision as the rep) before the tick, so the tick sees the lead as enrolled and never
starts it again, and it uses an account of no other demo story (the quarantined Westend ticket, the Globex
signal at Brightwave). Loading the demo again changes nothing: the lead has its run.
"""

from django_q.tasks import async_task

from agents.decisions import handoff_edit_approve
from agents.delivery.models import Mailbox
from agents.llm import OfflineProvider
from agents.models import AgentRun, Handoff
from agents.outreach.pipeline import lead_pipeline_run
from agents.outreach.tasks import campaign_tick_task
from campaigns.enrolment import EnrolmentCandidate, enrolment_start
from campaigns.models import Campaign, Contact
from salesops.models import Membership

DEMO_MAILBOXES = [
    ("Sam Keller", "sam@mail.demo.example"),
    ("Sam Keller", "sam.keller@outreach.demo.example"),
]
BLOCKED_EDIT_REP = "rep@demo.test"
BLOCKED_EDIT_DOMAIN = "dunmore-health.example"  # tier A: the agents hand every draft to a person
# Nobody called Priya Raman is in any source of the lead: the verifier reports the name as unsupported.
BLOCKED_EDIT_SENTENCE = "Priya Raman from your Boston team suggested I get in touch."


def load(workspace) -> None:
    active = list(Campaign.objects.filter(workspace=workspace, status=Campaign.Status.ACTIVE))
    for from_name, address in DEMO_MAILBOXES:
        # The app's mail settings: with `make run` (DEBUG, no EMAIL_HOST) that is the sandbox.
        mailbox, created = Mailbox.objects.get_or_create(
            workspace=workspace,
            from_address=address,
            defaults={
                "from_name": from_name,
                "reply_to_domain": "replies.demo.example",
                "transport": Mailbox.Transport.DEFAULT,
                "warmup_started_on": None,
                # Two warm mailboxes at 40 a day carry 26 new leads a day of the three-step sequence.
                "daily_cap": 40,
                "signature": "",
            },
        )
        if created:
            mailbox.campaigns.set(active)
    if active:
        _blocked_edit(workspace, active[0])
    for campaign in active:
        async_task(campaign_tick_task, campaign.pk)


def _blocked_edit(workspace, campaign: Campaign) -> None:
    """The demo rep's blocked edit (see the module): once per demo workspace."""
    rep = Membership.objects.filter(workspace=workspace, user__email=BLOCKED_EDIT_REP).select_related("user").first()
    contact = Contact.objects.filter(workspace=workspace, account__domain=BLOCKED_EDIT_DOMAIN).order_by("pk").first()
    if rep is None or contact is None or AgentRun.objects.filter(campaign=campaign, contact=contact).exists():
        return
    candidate = EnrolmentCandidate(contact_id=contact.pk, reason="Demo: the rep's edit the verifier blocked")
    if not enrolment_start(campaign=campaign, candidates=[candidate], count=1):
        return  # the enrolment rules refuse it (an older demo database): no story rather than a second one
    run = AgentRun.objects.create(workspace=workspace, campaign=campaign, contact=contact, step_position=1)
    provider = OfflineProvider()
    lead_pipeline_run(run_id=run.pk, provider=provider)
    handoff = Handoff.objects.filter(run=run, status=Handoff.Status.OPEN).first()
    if handoff is None or not handoff.proposal.get("draft"):
        return
    draft = handoff.proposal["draft"]
    greeting, _, rest = draft["body"].partition("\n\n")
    handoff_edit_approve(
        handoff=handoff,
        actor=rep,
        subject=draft["subject"],
        body=f"{greeting}\n\n{BLOCKED_EDIT_SENTENCE}\n\n{rest}",
        provider=provider,
    )
