"""A realistic story for the dashboards: the demo's offline pipeline run, then people decide drafts,
emails leave (one bounces), prospects reply and book meetings."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from agents import decisions
from agents.conversations.models import InboundMessage
from agents.delivery.models import EmailThread, Mailbox, OutboundMessage
from agents.meetings.tests.factories import make_meeting
from agents.models import Handoff
from campaigns.models import Campaign
from salesops.models import Membership, Role, Workspace


@dataclass
class Story:
    workspace: Workspace
    campaign: Campaign
    admin: Membership
    manager: Membership
    rep: Membership


def demo_story(capture_on_commit) -> Story:
    with capture_on_commit(execute=True):
        call_command("demo", force=True)
    workspace = Workspace.objects.get(slug="demo")
    campaign = Campaign.objects.get(workspace=workspace, status=Campaign.Status.ACTIVE)
    members = {m.role: m for m in Membership.objects.filter(workspace=workspace).select_related("user")}
    story = Story(workspace, campaign, members[Role.ADMIN], members[Role.MANAGER], members[Role.REP])
    drafts = list(
        Handoff.objects.filter(campaign=campaign, kind__in=["draft_review", "escalation"], status="open").order_by("pk")
    )
    assert len(drafts) >= 3, "the demo should hand at least three drafts to people"
    with capture_on_commit(execute=True):
        decisions.handoff_approve(handoff=drafts[0], actor=story.manager)
        body = drafts[1].proposal["draft"]["body"]
        decisions.handoff_edit_approve(
            handoff=drafts[1],
            actor=story.manager,
            subject=drafts[1].proposal["draft"]["subject"],
            body=body.replace("Hi ", "Hello ", 1),
        )
        decisions.handoff_reject(handoff=drafts[2], actor=story.manager, reason="tone", note="Too pushy for a CFO.")
    mailbox = Mailbox.objects.filter(workspace=workspace).order_by("pk").first()
    now = timezone.now()
    messages = list(OutboundMessage.objects.filter(campaign=campaign).order_by("pk"))
    for index, message in enumerate(messages[:6]):
        OutboundMessage.objects.filter(pk=message.pk).update(
            status="sent",
            mailbox=mailbox,
            sent_at=now - timedelta(hours=index),
            bounced_at=now if index == 5 else None,
        )
    # Three of the contacted people reply; two are interested and book; one meeting is held and qualified.
    for index, message in enumerate(messages[:3]):
        thread = EmailThread.objects.create(
            workspace=workspace,
            campaign=campaign,
            contact=message.contact,
            mailbox=mailbox,
            reply_token=f"story{index}",
        )
        InboundMessage.objects.create(
            workspace=workspace,
            channel="simulator",
            raw=b"x",
            size_bytes=1,
            dedupe_key=f"story-{index}",
            status="processed",
            thread=thread,
            contact=message.contact,
            category="interested" if index < 2 else "question",
        )
    for index, message in enumerate(messages[:2]):
        make_meeting(
            membership=story.rep,
            contact=message.contact,
            campaign=campaign,
            start=now - timedelta(days=1, hours=index),
            status="held" if index == 0 else "booked",
            qualified=index == 0,
        )
    return story
