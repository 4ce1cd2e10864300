"""Writes of the planner's pages: a manager's pins and exclusions of a campaign's leads."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from campaigns.models import Campaign, CampaignLeadChoice, Contact
from salesops.audit import member_audit
from salesops.models import Membership, Role


def _check_manager(*, campaign: Campaign, member: Membership) -> None:
    if member.workspace_id != campaign.workspace_id or not member.has_role(Role.MANAGER):
        raise PermissionDenied("Only a manager of the workspace chooses a campaign's leads.")


@transaction.atomic
def lead_choice_set(*, campaign: Campaign, contact: Contact, choice: str, member: Membership) -> CampaignLeadChoice:
    """Pin a lead (picked first at the next tick) or exclude it (this campaign never picks it)."""
    _check_manager(campaign=campaign, member=member)
    if contact.workspace_id != campaign.workspace_id:
        raise Contact.DoesNotExist
    if choice not in CampaignLeadChoice.Choice.values:
        raise ValueError(f"unknown lead choice {choice!r}")
    existing = CampaignLeadChoice.objects.select_for_update().filter(campaign=campaign, contact=contact).first()
    before = {"choice": existing.choice} if existing else None
    lead_choice, _ = CampaignLeadChoice.objects.update_or_create(
        campaign=campaign,
        contact=contact,
        defaults={"workspace_id": campaign.workspace_id, "choice": choice, "created_by": member.user},
    )
    member_audit(
        workspace=campaign.workspace,
        user=member.user,
        verb=f"campaign.lead_{'pinned' if choice == CampaignLeadChoice.Choice.PIN else 'excluded'}",
        target=campaign,
        before=before,
        after={"contact_id": contact.pk, "choice": choice},
    )
    return lead_choice


@transaction.atomic
def lead_choice_undo(*, campaign: Campaign, contact: Contact, member: Membership) -> None:
    """Take back a pin or an exclusion: the lead is ranked like any other again."""
    _check_manager(campaign=campaign, member=member)
    existing = CampaignLeadChoice.objects.select_for_update().filter(campaign=campaign, contact=contact).first()
    if existing is None:
        return
    existing.delete()
    member_audit(
        workspace=campaign.workspace,
        user=member.user,
        verb="campaign.lead_choice_undone",
        target=campaign,
        before={"contact_id": contact.pk, "choice": existing.choice},
        after=None,
    )
