"""A person's edit that the verifier blocks is kept on the item, not lost with the page: the item says
whose edit was blocked and why, the editor starts from it, and the audit records the attempt. Sending
the draft or writing it again clears it."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from agents.delivery.models import OutboundMessage
from agents.models import Handoff
from review.tests.factories import make_review_handoff
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
REFERRAL = "Priya Raman from your team suggested I get in touch."


def _with_referral(handoff: Handoff) -> str:
    """The agent's draft with a sentence naming a person no source mentions."""
    return handoff.proposal["draft"]["body"].replace("\n\n", f"\n\n{REFERRAL}\n\n", 1)


def _edit(client, handoff: Handoff, body: str, subject: str = "A referral", **extra):
    return client.post(reverse("review:edit", args=[handoff.pk]), {"subject": subject, "body": body}, **extra)


def _item_html(client, handoff: Handoff) -> str:
    response = client.get(reverse("review:item", args=[handoff.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def draft(personas):
    return make_review_handoff(workspace=personas.workspace)


def test_a_blocked_edit_is_kept_on_the_item_with_its_findings_and_who_wrote_it(personas, draft):
    body = _with_referral(draft)
    response = _edit(personas.client_for(personas.rep), draft, body, **HTMX)

    assert response.status_code == 200 and "The verifier checked your version" in response.content.decode()
    draft.refresh_from_db()
    kept = draft.proposal["blocked_edit"]
    assert (kept["subject"], kept["body"]) == ("A referral", body)
    assert (kept["by"], kept["by_id"]) == ("rep@acme.test", personas.rep.user_id) and kept["at"]
    assert {"kind": "unsupported_fact", "span": "Priya Raman", "fact_type": "name"}.items() <= next(
        finding for finding in kept["findings"] if finding["span"] == "Priya Raman"
    ).items()
    # Nothing is sent and the agent's draft is as it was: the item still waits for a decision.
    assert draft.status == "open" and "Priya" not in draft.proposal["draft"]["body"]
    assert not OutboundMessage.objects.exists()


def test_a_blocked_edit_is_audited_with_the_kinds_that_blocked_it(personas, draft):
    body = _with_referral(draft)
    _edit(personas.client_for(personas.rep), draft, body)

    event = AuditEvent.objects.get(verb="handoff.edit_blocked", target_id=str(draft.pk))
    assert event.actor_user_id == personas.rep.user_id and event.workspace_id == personas.workspace.pk
    assert event.after["finding_kinds"] == ["unsupported_fact"]
    assert event.after["body"] == body
    assert "Priya Raman" in [finding["span"] for finding in event.after["findings"]]


def test_the_item_says_whose_edit_was_blocked_with_each_finding(personas, draft):
    _edit(personas.client_for(personas.rep), draft, _with_referral(draft))

    mine = _item_html(personas.client_for(personas.rep), draft)
    assert "Your edit was blocked by the verifier" in mine
    assert "Fact not backed by a source" in mine
    assert '<span class="help">Offending text:</span> <mark>Priya Raman</mark>' in mine
    assert "<mark>Priya Raman</mark> from your team <mark>suggested I</mark> get in touch." in mine
    assert "Fix the blocked version" in mine

    theirs = _item_html(personas.client_for(personas.manager), draft)
    assert "rep@acme.test's edit was blocked by the verifier" in theirs
    assert "Your edit was blocked" not in theirs


def test_the_editor_opens_with_the_blocked_version_and_the_notes_it_needs(personas, draft):
    body = _with_referral(draft)
    client = personas.client_for(personas.rep)
    _edit(client, draft, body)

    html = client.get(reverse("review:edit", args=[draft.pk]), **HTMX).content.decode()
    assert f'<textarea id="edit-body" name="body" rows="14" required data-autofocus>{escape(body)}</textarea>' in html
    assert 'name="subject" maxlength="200" required value="A referral"' in html
    assert '<textarea id="override-unsupported_fact" name="override-unsupported_fact"' in html


def test_the_blocked_text_and_its_spans_stay_text(personas, draft):
    body = draft.proposal["draft"]["body"] + "\n\nSee <img src=x onerror=alert(1)> here."
    _edit(personas.client_for(personas.rep), draft, body, subject="<script>alert(1)</script>")

    html = _item_html(personas.client_for(personas.rep), draft)
    assert "Your edit was blocked by the verifier" in html
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "<mark>&lt;img src=x onerror=alert(1)&gt;</mark>" in html
    # The subject's tags are shown escaped (each marked as a finding of its own)
    assert "<mark>&lt;script&gt;</mark>alert(1)<mark>&lt;/script&gt;</mark>" in html


def test_approving_the_fixed_version_clears_the_blocked_edit(personas, draft):
    client = personas.client_for(personas.rep)
    _edit(client, draft, _with_referral(draft))
    fixed = draft.proposal["draft"]["body"].replace("\n\n", "\n\nHope your week is going well.\n\n", 1)

    response = _edit(client, draft, fixed)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.decision == "edited" and "blocked_edit" not in draft.proposal
    assert "edit was blocked" not in _item_html(client, draft)
    # The attempt stays in the audit log.
    assert AuditEvent.objects.filter(verb="handoff.edit_blocked", target_id=str(draft.pk)).count() == 1


def test_approving_the_agents_draft_clears_a_blocked_edit(personas, draft):
    client = personas.client_for(personas.rep)
    _edit(client, draft, _with_referral(draft))
    draft.refresh_from_db()
    assert "blocked_edit" in draft.proposal

    client.post(reverse("review:approve", args=[draft.pk]))

    draft.refresh_from_db()
    assert draft.decision == "approved" and "blocked_edit" not in draft.proposal


def test_regenerating_clears_a_blocked_edit(personas, draft, django_capture_on_commit_callbacks):
    client = personas.client_for(personas.rep)
    _edit(client, draft, _with_referral(draft))
    draft.refresh_from_db()
    assert "blocked_edit" in draft.proposal

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review:regenerate", args=[draft.pk]), {"instruction": "Shorter."})

    draft.refresh_from_db()
    assert draft.decision == "regenerated" and "blocked_edit" not in draft.proposal
    rewritten = Handoff.objects.get(run=draft.run, status="open")
    assert "blocked_edit" not in rewritten.proposal


def test_the_latest_blocked_edit_is_kept_and_every_attempt_audited(personas, draft):
    client = personas.client_for(personas.rep)
    _edit(client, draft, _with_referral(draft))
    second = draft.proposal["draft"]["body"] + "\n\nWe guarantee results."
    _edit(personas.client_for(personas.manager), draft, second)

    draft.refresh_from_db()
    assert (draft.proposal["blocked_edit"]["body"], draft.proposal["blocked_edit"]["by"]) == (
        second,
        "manager@acme.test",
    )
    assert "Your edit was blocked" not in _item_html(client, draft)
    kinds = AuditEvent.objects.filter(verb="handoff.edit_blocked", target_id=str(draft.pk)).order_by("sequence")
    assert [event.after["finding_kinds"] for event in kinds] == [["unsupported_fact"], ["forbidden_phrase"]]


def test_another_workspace_neither_sees_nor_keeps_a_blocked_edit(personas, draft):
    _edit(personas.client_for(personas.rep), draft, _with_referral(draft))
    outsider = personas.client_for(personas.outsider)

    assert outsider.get(reverse("review:item", args=[draft.pk])).status_code == 404
    assert outsider.get(reverse("review:edit", args=[draft.pk])).status_code == 404
    assert _edit(outsider, draft, draft.proposal["draft"]["body"] + "\n\nWe guarantee results.").status_code == 404
    inbox = outsider.get(reverse("review:inbox")).content.decode()
    assert "edit was blocked" not in inbox and "Priya" not in inbox
    draft.refresh_from_db()
    assert draft.proposal["blocked_edit"]["by"] == "rep@acme.test"
    assert not AuditEvent.objects.filter(verb="handoff.edit_blocked", actor_user_id=personas.outsider.user_id).exists()


def test_a_rep_who_may_not_act_on_the_item_keeps_no_blocked_edit_there(personas, draft):
    Handoff.objects.filter(pk=draft.pk).update(assignee=personas.manager.user)

    response = _edit(personas.client_for(personas.rep), draft, _with_referral(draft))

    assert response.status_code == 403
    draft.refresh_from_db()
    assert "blocked_edit" not in draft.proposal
    assert not AuditEvent.objects.filter(verb="handoff.edit_blocked").exists()
