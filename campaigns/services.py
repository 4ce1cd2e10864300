"""Writes of strategy: ICPs and their versions, offers, the proof library, policies and campaigns.

Each function checks the actor's role, runs in a transaction and writes an audit event.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict

from campaigns import hooks
from campaigns.audience import campaign_audience
from campaigns.models import ICP, Campaign, ICPVersion, Offer, Policy, ProofPoint, SequenceStep
from campaigns.selectors import mailbox_model
from salesops.audit import member_audit
from salesops.models import Membership, Role


def _require_manager(actor: Membership) -> None:
    if not actor.has_role(Role.MANAGER):
        raise PermissionDenied("Strategy is changed by managers and admins.")


# ICPs -------------------------------------------------------------------------------------------


@transaction.atomic
def icp_create(*, actor: Membership, name: str, content: dict) -> ICPVersion:
    _require_manager(actor)
    if ICP.objects.filter(workspace=actor.workspace, name=name).exists():
        raise ValidationError({"name": f"An ICP named {name!r} already exists."})
    icp = ICP.objects.create(workspace=actor.workspace, name=name)
    version = ICPVersion.objects.create(workspace=actor.workspace, icp=icp, number=1, created_by=actor.user, **content)
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="icp.created",
        target=version,
        after={"name": name, "version": 1, **content},
    )
    return version


@transaction.atomic
def icp_save_version(*, actor: Membership, icp: ICP, name: str, content: dict) -> ICPVersion | None:
    """Save the content as a new version; None when nothing changed (no empty versions)."""
    _require_manager(actor)
    icp = ICP.objects.select_for_update().get(pk=icp.pk, workspace=actor.workspace)
    latest = icp.versions.order_by("-number").first()
    renamed = name != icp.name
    if renamed:
        if ICP.objects.filter(workspace=actor.workspace, name=name).exclude(pk=icp.pk).exists():
            raise ValidationError({"name": f"An ICP named {name!r} already exists."})
        member_audit(
            workspace=actor.workspace,
            user=actor.user,
            verb="icp.renamed",
            target=icp,
            before={"name": icp.name},
            after={"name": name},
        )
        icp.name = name
        icp.save(update_fields=["name"])
    if latest is not None and latest.content() == content:
        return None
    version = ICPVersion.objects.create(
        workspace=actor.workspace,
        icp=icp,
        number=(latest.number + 1) if latest else 1,
        created_by=actor.user,
        **content,
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="icp.version_saved",
        target=version,
        before=latest.content() if latest else None,
        after={"version": version.number, **content},
    )
    return version


# Offers, proof points, policies -----------------------------------------------------------------


def _save_model_form(*, actor: Membership, form, verb_prefix: str):
    """Save a validated ModelForm of a workspace-owned model, audited with before and after."""
    _require_manager(actor)
    instance = form.instance
    creating = instance.pk is None
    before = None if creating else model_to_dict(type(instance).objects.get(pk=instance.pk))
    instance.workspace = actor.workspace
    with transaction.atomic():
        saved = form.save()
        member_audit(
            workspace=actor.workspace,
            user=actor.user,
            verb=f"{verb_prefix}.{'created' if creating else 'updated'}",
            target=saved,
            before=before,
            after=model_to_dict(saved),
        )
    return saved


def offer_save(*, actor: Membership, form) -> Offer:
    return _save_model_form(actor=actor, form=form, verb_prefix="offer")


def proof_point_save(*, actor: Membership, form) -> ProofPoint:
    return _save_model_form(actor=actor, form=form, verb_prefix="proof_point")


def policy_save(*, actor: Membership, form) -> Policy:
    return _save_model_form(actor=actor, form=form, verb_prefix="policy")


# Campaigns --------------------------------------------------------------------------------------


def _campaign_state(campaign: Campaign) -> dict:
    return {**model_to_dict(campaign), "mailboxes": sorted(campaign.mailboxes.values_list("pk", flat=True))}


@transaction.atomic
def campaign_save(*, actor: Membership, form) -> Campaign:
    """Save a validated CampaignForm: the settings, and which of the workspace's active mailboxes send for
    the campaign. Mailboxes an admin paused or stopped stay attached (they are the admin's to detach)."""
    _require_manager(actor)
    instance = form.instance
    creating = instance.pk is None
    before = None if creating else _campaign_state(Campaign.objects.get(pk=instance.pk, workspace=actor.workspace))
    mailbox = mailbox_model()
    # The form offers the workspace's active mailboxes; checked again here, as they are now.
    chosen = list(
        mailbox.objects.filter(
            workspace=actor.workspace,
            status=mailbox.Status.ACTIVE,
            pk__in=[box.pk for box in form.cleaned_data.get("mailboxes") or []],
        )
    )
    if len(chosen) != len(form.cleaned_data.get("mailboxes") or []):
        raise ValidationError({"mailboxes": "Pick among the workspace's active mailboxes."})
    instance.workspace = actor.workspace
    saved = form.save()
    kept = saved.mailboxes.exclude(status=mailbox.Status.ACTIVE)
    saved.mailboxes.set([*kept, *chosen])
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb=f"campaign.{'created' if creating else 'updated'}",
        target=saved,
        before=before,
        after=_campaign_state(saved),
    )
    return saved


@transaction.atomic
def campaign_set_steps(*, actor: Membership, campaign: Campaign, steps: list[dict]) -> list[SequenceStep]:
    """Replace the sequence with `steps` (intent, delay_business_days, guidance), numbered from 1."""
    _require_manager(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk, workspace=actor.workspace)
    before = list(campaign.steps.order_by("position").values("intent", "delay_business_days", "guidance"))
    campaign.steps.all().delete()
    created = SequenceStep.objects.bulk_create(
        SequenceStep(workspace=actor.workspace, campaign=campaign, position=number, **step)
        for number, step in enumerate(steps, start=1)
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="campaign.sequence_saved",
        target=campaign,
        before={"steps": before},
        after={"steps": steps},
    )
    return created


def campaign_missing_pieces(campaign: Campaign) -> list[str]:
    """What a campaign lacks before agents may work on it, each as a sentence a manager acts on."""
    missing = []
    if campaign.icp_version_id is None:
        missing.append("Choose an ICP version.")
    if campaign.offer_id is None:
        missing.append("Choose an offer.")
    else:
        offer = campaign.offer
        if not offer.postal_address.strip():
            missing.append("The offer needs the sender's postal address.")
        if not offer.signature.strip():
            missing.append("The offer needs a signature.")
    if campaign.policy_id is None:
        missing.append("Choose a policy.")
    if not campaign.goal_target:
        missing.append("Set a goal: how many qualified meetings to book.")
    if campaign.goal_start is None or campaign.goal_end is None:
        missing.append("Set the goal's period.")
    steps = list(campaign.steps.order_by("position"))
    if not steps:
        missing.append("Add at least one sequence step.")
    elif steps[0].intent != SequenceStep.Intent.INTRO:
        missing.append("The first sequence step must be an introduction.")
    if not campaign.send_days:
        missing.append("Choose the days emails may be sent.")
    if not ProofPoint.objects.filter(workspace_id=campaign.workspace_id, is_active=True).exists():
        missing.append("Add at least one approved fact to the proof library.")
    if not campaign.daily_new_lead_limit:
        missing.append("Set a daily limit of new leads above zero.")
    missing += _mailbox_missing(campaign)
    missing += _audience_missing(campaign)
    return missing


def _mailbox_missing(campaign: Campaign) -> list[str]:
    active = mailbox_model().Status.ACTIVE
    if campaign.mailboxes.filter(status=active).exists():
        return []
    if not mailbox_model().objects.filter(workspace_id=campaign.workspace_id, status=active).exists():
        return ["Ask an admin to connect a mailbox: the workspace has no active mailbox to send from."]
    return ["Pick at least one active mailbox to send from (Edit → Send from)."]


def _audience_missing(campaign: Campaign) -> list[str]:
    """An audience with nobody to enrol and nobody enrolled yet: the campaign would start and do nothing."""
    if campaign.icp_version_id is None and not campaign.audience_lists.exists():
        return []  # "Choose an ICP version" already says it
    counts = campaign_audience(campaign).counts
    if counts.eligible or counts.in_this_campaign:
        return []
    if counts.contacts:
        return [
            f"The audience is empty: none of its {counts.contacts} contacts may be enrolled now "
            "(already in another sequence, suppressed, blocked or excluded; see the audience below)."
        ]
    return [
        f"The audience is empty: no contact matches the ICP and the lists (0 of {counts.workspace_contacts}). "
        "Widen the ICP, attach a list, or import contacts."
    ]


# Which status may follow which, and what the change is called in the audit log.
CAMPAIGN_TRANSITIONS = {
    (Campaign.Status.DRAFT, Campaign.Status.ACTIVE): "campaign.activated",
    (Campaign.Status.ACTIVE, Campaign.Status.PAUSED): "campaign.paused",
    (Campaign.Status.PAUSED, Campaign.Status.ACTIVE): "campaign.resumed",
    (Campaign.Status.ACTIVE, Campaign.Status.COMPLETED): "campaign.completed",
    (Campaign.Status.PAUSED, Campaign.Status.COMPLETED): "campaign.completed",
}


class CampaignNotReady(ValidationError):
    """The campaign lacks required pieces; `.messages` lists them."""


@transaction.atomic
def campaign_change_status(*, actor: Membership, campaign: Campaign, status: str) -> Campaign:
    _require_manager(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk, workspace=actor.workspace)
    verb = CAMPAIGN_TRANSITIONS.get((campaign.status, status))
    if verb is None:
        raise ValidationError(f"A {campaign.get_status_display().lower()} campaign cannot become {status}.")
    if status == Campaign.Status.ACTIVE:
        missing = campaign_missing_pieces(campaign)
        if missing:
            raise CampaignNotReady(missing)
    before = campaign.status
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb=verb,
        target=campaign,
        before={"status": before},
        after={"status": status},
    )
    if status == Campaign.Status.ACTIVE:
        for callback in hooks.on_campaign_activated:
            transaction.on_commit(lambda callback=callback: callback(campaign.pk))
    return campaign
