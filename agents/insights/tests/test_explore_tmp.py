import pytest
from django.core.management import call_command
pytestmark = pytest.mark.django_db
def test_explore():
    from agents.models import AgentRun, AgentStep, Handoff, OutboundMessage
    from agents.meetings.models import Meeting
    from agents.conversations.models import InboundMessage
    from salesops.models import AuditEvent
    call_command("demo", force=True)
    from collections import Counter
    print("runs", Counter(AgentRun.objects.values_list("outcome", flat=True)))
    print("steps", AgentStep.objects.count())
    print("handoffs", Counter(Handoff.objects.values_list("kind","status")))
    print("msgs", Counter(OutboundMessage.objects.values_list("status", flat=True)))
    print("meetings", Meeting.objects.count(), "inbound", InboundMessage.objects.count(), "audit", AuditEvent.objects.count())
    from campaigns.models import Campaign
    for c in Campaign.objects.all(): print(c.name, c.status, c.goal_target, c.goal_start, c.goal_end, c.autonomy)
