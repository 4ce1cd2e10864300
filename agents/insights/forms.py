from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from agents.insights.dryrun import Proposal
from agents.insights.timeline import Filters
from campaigns.models import Campaign

AGENTS = ["research", "qualify", "write", "verify", "route", "classify", "deliverability"]


class TimelineFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=200, help_text="e.g. rep@… or agent:writer")
    agent = forms.ChoiceField(required=False, choices=[("", "Any")] + [(agent, agent) for agent in AGENTS])
    verb = forms.CharField(required=False, max_length=80)
    campaign = forms.ModelChoiceField(required=False, queryset=Campaign.objects.none(), empty_label="Any")
    contact = forms.IntegerField(required=False, min_value=1, label="Contact id")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Until")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(workspace=workspace).order_by("name")

    def filters(self) -> Filters:
        if not self.is_valid():
            return Filters()
        data = self.cleaned_data
        zone = timezone.get_current_timezone()

        def at(day, extra_days=0):
            return datetime.combine(day + timedelta(days=extra_days), time.min, tzinfo=zone) if day else None

        return Filters(
            actor=data["actor"].strip(),
            agent=data["agent"],
            verb=data["verb"].strip(),
            campaign_id=data["campaign"].pk if data["campaign"] else None,
            contact_id=data["contact"],
            since=at(data["since"]),
            until=at(data["until"], 1),  # the whole "until" day
        )


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class PolicyDryRunForm(forms.Form):
    autonomy = forms.ChoiceField(choices=Campaign.Autonomy.choices)
    confidence_threshold = forms.DecimalField(min_value=0, max_value=1, max_digits=3, decimal_places=2)
    escalation_rules = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="One rule a line."
    )
    forbidden_phrases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="One phrase a line."
    )

    @classmethod
    def for_campaign(cls, campaign: Campaign) -> "PolicyDryRunForm":
        policy = campaign.policy
        return cls(
            initial={
                "autonomy": campaign.autonomy,
                "confidence_threshold": campaign.confidence_threshold,
                "escalation_rules": "\n".join(policy.escalation_rules if policy else []),
                "forbidden_phrases": "\n".join(policy.forbidden_phrases if policy else []),
            }
        )

    def proposal(self) -> Proposal:
        data = self.cleaned_data
        return Proposal(
            autonomy=data["autonomy"],
            confidence_threshold=data["confidence_threshold"],
            escalation_rules=_lines(data["escalation_rules"]),
            forbidden_phrases=_lines(data["forbidden_phrases"]),
        )
