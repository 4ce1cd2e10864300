"""One inbox item: why it is there, the draft with its cited sources, findings, thread and steps."""

import re

import pytest
from django.urls import reverse

from agents import decisions
from agents.delivery.outbox import outbound_queue
from agents.models import AgentStep, Handoff
from campaigns.tests.factories import make_proof_point, make_signal
from review import display
from review.tests.factories import make_handoff, make_review_handoff

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _item(client, handoff, **extra) -> str:
    response = client.get(reverse("review:item", args=[handoff.pk]), **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_the_item_shows_why_it_is_here_and_each_claim_with_its_source(personas):
    handoff = make_review_handoff(workspace=personas.workspace)
    signal_id = int(handoff.proposal["draft"]["claims"][0]["sources"][0].removeprefix("signal:"))

    html = _item(personas.client_for(personas.rep), handoff, **HTMX)

    assert handoff.reason in html
    assert f"Confidence {handoff.confidence * 100:.0f}%" in html
    for claim in handoff.proposal["draft"]["claims"]:
        assert claim["text"] in html
    # A citation opens to the signal itself: kind, date, source and text.
    citation = re.search(r'<details class="citation citation-signal">(.*?)</details>', html, re.S).group(1)
    signal = handoff.contact.account.signals.get(pk=signal_id)
    assert "Funding round" in citation and signal.occurred_at.strftime("%Y-%m-%d") in citation
    assert signal.source in citation and signal.text in citation
    assert '<details class="citation citation-proof">' in html
    assert handoff.proposal["brief"]["brief"].splitlines()[0] in html
    # The agent steps that produced it, in order.
    agents = re.findall(r"<tr>\s*<td>(\w+)</td>", html)
    steps = AgentStep.objects.filter(run=handoff.run).order_by("pk").values_list("agent", flat=True)
    assert agents == [display.label(agent) for agent in steps]
    assert agents[:3] == ["Research", "Qualify", "Write"]
    assert "Nothing sent to this contact yet." in html


def test_a_plain_request_gets_the_whole_inbox_with_the_item_open(personas):
    handoff = make_review_handoff(workspace=personas.workspace)
    other = make_handoff(workspace=personas.workspace, kind="negotiation")
    html = _item(personas.client_for(personas.rep), handoff)
    assert "<html" in html and f'data-item-id="{handoff.pk}"' in html
    assert f'id="row-{other.pk}"' in html


def test_findings_are_highlighted_in_the_draft_and_prospect_text_stays_text(personas):
    signal = make_signal(workspace=personas.workspace, title="<img src=x onerror=alert(1)>", text="<b>bold</b>")
    handoff = make_handoff(
        workspace=personas.workspace,
        proposal={
            "draft": {
                "subject": "About <script>alert('subject')</script>",
                "body": "Hi <script>alert(1)</script>,\nWe guarantee results & more. GUARANTEE!",
                "claims": [{"text": "We guarantee results & more.", "sources": [f"signal:{signal.pk}"]}],
            },
            "verification": {
                "passed": False,
                "findings": [
                    {"kind": "forbidden_phrase", "message": "Says <guarantee>.", "span": "guarantee",
                     "source": "", "severity": "block"},
                    {"kind": "odd", "message": "Markup", "span": "<script>", "severity": "warn"},
                ],
            },
        },
    )  # fmt: skip

    html = _item(personas.client_for(personas.rep), handoff, **HTMX)

    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "Hi <mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;," in html
    assert "We <mark>guarantee</mark> results &amp; more. <mark>GUARANTEE</mark>!" in html
    assert "Says &lt;guarantee&gt;." in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # A blocked draft cannot be approved as it is: only edited.
    assert 'data-key="a"' not in html and 'data-key="e"' in html


def test_the_editor_asks_for_a_note_per_blocking_kind_and_none_for_a_warning(personas):
    handoff = make_handoff(
        workspace=personas.workspace,
        proposal={
            "draft": {"subject": "Hi", "body": "We guarantee it. Act now.", "claims": []},
            "verification": {
                "passed": False,
                "findings": [
                    {"kind": "forbidden_phrase", "message": "Says guarantee.", "span": "guarantee",
                     "severity": "block"},
                    {"kind": "uncited_claim", "message": "No source.", "span": "We guarantee it."},
                    {"kind": "tone", "message": "Pushy.", "span": "Act now.", "severity": "warn"},
                ],
            },
        },
    )  # fmt: skip
    response = personas.client_for(personas.rep).get(reverse("review:edit", args=[handoff.pk]), **HTMX)
    assert [kind for kind, _ in response.context["override_rows"]] == ["forbidden_phrase", "uncited_claim"]
    assert 'name="override-tone"' not in response.content.decode()


def test_highlight_escapes_before_it_marks():
    assert display.highlight("a <b> & b", ["<b>", "b"]) == "a <mark>&lt;b&gt;</mark> &amp; <mark>b</mark>"
    assert display.highlight("plain", []) == "plain"


def test_the_thread_shows_what_was_already_sent_to_the_contact(personas):
    handoff = make_review_handoff(workspace=personas.workspace)
    message = outbound_queue(run=handoff.run, subject="An earlier note", approved_by=personas.manager.user)
    html = _item(personas.client_for(personas.rep), handoff, **HTMX)
    assert "An earlier note" in html and "approved by manager@acme.test" in html
    assert message.body_text.splitlines()[0] in html


def test_the_item_links_to_the_whole_conversation_and_the_contacts_page(personas):
    handoff = make_review_handoff(workspace=personas.workspace)
    html = _item(personas.client_for(personas.rep), handoff, **HTMX)
    assert reverse("review:thread", args=[handoff.contact_id]) in html
    assert reverse("insights:contact_detail", args=[handoff.contact_id]) in html


def test_what_a_person_changed_in_the_agents_draft_is_shown(personas):
    handoff = make_review_handoff(workspace=personas.workspace)
    draft = handoff.proposal["draft"]
    body = draft["body"].replace("\n\n", "\n\nHope your week is going well.\n\n", 1)
    outcome = decisions.handoff_edit_approve(handoff=handoff, actor=personas.rep, subject=draft["subject"], body=body)
    assert outcome.approved

    html = _item(personas.client_for(personas.manager), handoff, **HTMX)

    assert "Edited and approved" in html and "by rep@acme.test" in html
    # Two readable columns, the draft and what was sent; the added line is marked, words are not interleaved.
    draft_column, sent_column = re.findall(r'<section class="side"[^>]*>(.*?)</section>', html, re.S)
    assert "<h4" in draft_column and ">Draft</h4>" in draft_column and ">Sent</h4>" in sent_column
    assert "Hope your week" not in draft_column
    assert '<span class="line line-changed">Hope your week is going well.</span>' in sent_column
    first_line = draft["body"].splitlines()[0]
    assert f'<span class="line">{first_line}</span>' in draft_column
    assert f'<span class="line">{first_line}</span>' in sent_column
    assert "<del>" not in html and "<ins>" not in html


def test_a_rep_may_read_an_item_assigned_to_someone_else_but_not_act_on_it(personas):
    handoff = make_review_handoff(workspace=personas.workspace)
    Handoff.objects.filter(pk=handoff.pk).update(assignee=personas.manager.user)
    html = _item(personas.client_for(personas.rep), handoff, **HTMX)
    assert "only they or a manager can act on it" in html
    assert 'data-key="a"' not in html and "/approve/" not in html


def test_an_item_of_another_workspace_is_not_found(personas):
    handoff = make_handoff(workspace=personas.outsider.workspace)
    response = personas.client_for(personas.rep).get(reverse("review:item", args=[handoff.pk]))
    assert response.status_code == 404


def test_the_item_view_costs_the_same_queries_however_many_claims_and_steps(personas, django_assert_num_queries):
    small = make_review_handoff(workspace=personas.workspace)
    big = make_review_handoff(workspace=personas.workspace)
    proofs = [make_proof_point(workspace=personas.workspace, title=f"Proof {n}") for n in range(4)]
    signals = [make_signal(workspace=personas.workspace, account=big.contact.account) for _ in range(4)]
    proposal = big.proposal
    proposal["draft"]["claims"] += [
        {"text": f"Claim {n}", "sources": [f"signal:{signal.pk}", f"proof:{proof.pk}"]}
        for n, (signal, proof) in enumerate(zip(signals, proofs, strict=True))
    ]
    Handoff.objects.filter(pk=big.pk).update(proposal=proposal)
    AgentStep.objects.bulk_create(
        [AgentStep(workspace=personas.workspace, run=big.run, agent=f"extra-{n}") for n in range(30)]
    )
    client = personas.client_for(personas.rep)
    client.get(reverse("review:inbox"))
    for handoff in (small, big):
        # session, user, membership; the handoff (with campaign, offer, contact, account, take-over,
        # assignee, decider); the cited signals; the cited proof points; the run's steps; the thread.
        with django_assert_num_queries(8):
            _item(client, handoff, **HTMX)


def test_a_negotiation_shows_the_prospects_email_with_the_part_that_matters_marked(personas):
    handoff = make_handoff(
        workspace=personas.workspace,
        kind="negotiation",
        proposal={
            "inbound": 7,
            "subject": "Re: After the funding news",
            "text": "Could you do 30% off? <b>Our CFO insists.</b>",
            "classification": {"category": "negotiation", "confidence": 0.9, "span": "30% off"},
        },
    )
    html = _item(personas.client_for(personas.rep), handoff, **HTMX)
    assert "Their email" in html and "Re: After the funding news" in html
    assert "Could you do <mark>30% off</mark>? &lt;b&gt;Our CFO insists.&lt;/b&gt;" in html
    assert "read it as <strong>Negotiation</strong> (90% sure)" in html
