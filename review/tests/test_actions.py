"""Each decision from the inbox, with and without htmx: it goes through the agents' services (locked,
audited, resuming the agent), then the next item opens."""

import json
import re
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agents.delivery.models import OutboundMessage
from agents.models import AgentRun, Handoff, TakeOver
from review.tests.factories import make_answer_handoff, make_handoff, make_review_handoff
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _post(client, name: str, handoff, data=None, query: str = "", **extra):
    url = reverse(f"review:{name}", args=[handoff.pk]) + (f"?{query}" if query else "")
    return client.post(url, data or {}, **extra)


def _messages(response) -> list[str]:
    if "HX-Trigger" in response.headers:
        return [message["text"] for message in json.loads(response["HX-Trigger"])["salesops:messages"]]
    return [str(message) for message in get_messages(response.wsgi_request)]


def _open_item(response) -> str | None:
    """The id of the item the response opens (None for the empty inbox)."""
    section = re.search(r'<section id="item-detail"[^>]*>', response.content.decode()).group(0)
    found = re.search(r'data-item-id="(\d+)"', section)
    return found.group(1) if found else None


@pytest.fixture
def two_drafts(personas):
    older = make_review_handoff(workspace=personas.workspace)
    Handoff.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=2))
    newer = make_review_handoff(workspace=personas.workspace)
    return older, newer


# Approve -----------------------------------------------------------------------------------------


def test_approving_queues_the_email_and_redirects_to_the_next_item(personas, two_drafts):
    older, newer = two_drafts
    response = _post(personas.client_for(personas.rep), "approve", older, query="kind=draft_review")

    assert response.status_code == 302
    assert response["Location"] == reverse("review:item", args=[newer.pk]) + "?kind=draft_review"
    assert _messages(response) == ["Approved: the email is queued for sending."]
    message = OutboundMessage.objects.get(contact=older.contact)
    assert message.approved_by == personas.rep.user and message.status == "queued"
    older.refresh_from_db()
    assert (older.decision, older.decided_by) == ("approved", personas.rep.user)
    assert AgentRun.objects.get(pk=older.run_id).outcome == "queued"
    assert AuditEvent.objects.filter(verb="handoff.approved", target_id=str(older.pk)).exists()


def test_approving_with_htmx_opens_the_next_item_and_updates_the_row_and_counts(personas, two_drafts):
    older, newer = two_drafts
    response = _post(personas.client_for(personas.rep), "approve", older, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert _open_item(response) == str(newer.pk)
    assert response["HX-Push-Url"] == reverse("review:item", args=[newer.pk])
    row = re.search(rf'<li id="row-{older.pk}"[^>]*>', html).group(0)
    assert 'hx-swap-oob="true"' in row and "is-done" in row
    assert "Approved by rep@acme.test" in html
    assert re.search(r'id="count-all" class="count" hx-swap-oob="true">1<', html)
    assert "<html" not in html
    assert _messages(response) == ["Approved: the email is queued for sending."]


def test_after_the_last_item_the_inbox_says_so(personas):
    only = make_review_handoff(workspace=personas.workspace)
    response = _post(personas.client_for(personas.rep), "approve", only, **HTMX)
    assert _open_item(response) is None
    assert "Inbox zero" in response.content.decode()
    assert response["HX-Push-Url"] == reverse("review:inbox")


# Concurrency -------------------------------------------------------------------------------------


def test_the_second_person_is_told_who_handled_it_and_nothing_is_sent_twice(personas, two_drafts):
    older, _ = two_drafts
    _post(personas.client_for(personas.rep), "approve", older, **HTMX)

    manager = personas.client_for(personas.manager)
    response = _post(manager, "approve", older, **HTMX)
    assert response.status_code == 200
    assert re.search(r'role="alert">Already handled by rep@acme.test \(approved\)\.<', response.content.decode())
    assert _open_item(response) == str(older.pk)
    plain = _post(manager, "reject", older, {"reason": "tone"})
    assert plain.status_code == 302 and plain["Location"] == reverse("review:item", args=[older.pk])
    assert _messages(plain) == ["Already handled by rep@acme.test (approved)."]
    assert OutboundMessage.objects.filter(contact=older.contact).count() == 1
    older.refresh_from_db()
    assert older.decision == "approved"


@pytest.mark.django_db(transaction=True)
def test_two_people_approving_at_the_same_moment_send_one_email(personas):
    handoff = make_review_handoff(workspace=personas.workspace)
    clients = [personas.client_for(personas.rep), personas.client_for(personas.manager)]
    barrier, answers = threading.Barrier(2), []

    def approve(client):
        barrier.wait()
        try:
            answers.append(_post(client, "approve", handoff, **HTMX).content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert OutboundMessage.objects.filter(contact=handoff.contact).count() == 1
    assert sum("Already handled by" in answer for answer in answers) == 1


# Edit then approve -------------------------------------------------------------------------------


def test_the_editor_opens_with_the_draft(personas, two_drafts):
    older, _ = two_drafts
    html = personas.client_for(personas.rep).get(reverse("review:edit", args=[older.pk]), **HTMX).content.decode()
    assert '<textarea id="edit-body" name="body" rows="14" required data-autofocus>' in html
    assert older.proposal["draft"]["body"].splitlines()[0] in html
    assert "Verify and approve" in html


def test_an_edit_is_verified_again_and_queued_with_the_difference_kept(personas, two_drafts):
    older, newer = two_drafts
    draft = older.proposal["draft"]
    body = draft["body"].replace("\n\n", "\n\nHope your week is going well.\n\n", 1)
    response = _post(personas.client_for(personas.rep), "edit", older, {"subject": "Quick idea", "body": body})

    assert response["Location"] == reverse("review:item", args=[newer.pk])
    older.refresh_from_db()
    assert (older.decision, older.final_subject, older.final_body) == ("edited", "Quick idea", body)
    assert OutboundMessage.objects.get(contact=older.contact).body_text == body
    assert AgentRun.objects.get(pk=older.run_id).steps.filter(agent="verify").count() >= 2
    audit = AuditEvent.objects.get(verb="handoff.edited", target_id=str(older.pk))
    assert audit.before["body"] == draft["body"] and audit.after["body"] == body


def test_an_edit_that_fails_verification_shows_its_findings_and_sends_nothing(personas, two_drafts):
    older, _ = two_drafts
    body = older.proposal["draft"]["body"] + "\nWe guarantee results."
    client = personas.client_for(personas.rep)

    response = _post(client, "edit", older, {"subject": "Hello", "body": body}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and "The verifier checked your version" in html
    assert "We <mark>guarantee</mark> results." in html
    assert '<textarea id="override-forbidden_phrase" name="override-forbidden_phrase"' in html
    assert not OutboundMessage.objects.exists()
    assert Handoff.objects.get(pk=older.pk).status == "open"

    plain = _post(client, "edit", older, {"subject": "Hello", "body": body})
    assert plain.status_code == 400 and "<html" in plain.content.decode()


def test_an_edited_answer_to_a_reply_is_verified_and_queued_in_the_replys_thread(personas):
    answer = make_answer_handoff(workspace=personas.workspace)
    body = answer.proposal["draft"]["body"].replace("Thanks for the question.", "Thanks for asking.")

    response = _post(personas.client_for(personas.rep), "edit", answer, {"subject": "Re: hello", "body": body})

    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.decision, answer.final_body) == ("edited", body)
    message = OutboundMessage.objects.get(contact=answer.contact)
    assert (message.body_text, message.idempotency_key) == (body, f"reply:{answer.run.inbound_message_id}")


def test_a_person_may_override_a_finding_with_a_note(personas, two_drafts):
    older, _ = two_drafts
    body = older.proposal["draft"]["body"] + "\nWe guarantee results."
    data = {"subject": "Hello", "body": body, "override-forbidden_phrase": "Legal approved this wording."}

    _post(personas.client_for(personas.manager), "edit", older, data, **HTMX)

    older.refresh_from_db()
    assert older.decision == "edited" and "Legal approved this wording." in older.decision_note
    override = AuditEvent.objects.get(verb="handoff.findings_overridden", target_id=str(older.pk))
    assert override.after["notes"] == {"forbidden_phrase": "Legal approved this wording."}
    assert OutboundMessage.objects.get(contact=older.contact).body_text == body


# Reject, regenerate, dismiss ---------------------------------------------------------------------


def test_rejecting_needs_a_reason_and_keeps_it(personas, two_drafts):
    older, newer = two_drafts
    client = personas.client_for(personas.rep)

    refused = _post(client, "reject", older, {"reason": ""}, **HTMX)
    assert "Choose a reason for the rejection." in refused.content.decode()
    other = _post(client, "reject", older, {"reason": "other", "note": " "}, **HTMX)
    assert "Say why in a note" in other.content.decode()
    assert Handoff.objects.get(pk=older.pk).status == "open"

    unknown = _post(client, "reject", older, {"reason": "spam", "note": "Looks like spam."}, **HTMX)
    assert "Choose a reason for the rejection." in unknown.content.decode()
    too_long = _post(client, "reject", older, {"reason": "other", "note": "x" * 2001}, **HTMX)
    assert "Ensure this value has at most 2000 characters (it has 2001)." in too_long.content.decode()
    assert "Say why in a note" not in too_long.content.decode()
    response = _post(client, "reject", older, {"reason": "wrong_facts", "note": "Not a Series B."}, **HTMX)
    assert _open_item(response) == str(newer.pk)
    older.refresh_from_db()
    assert (older.decision, older.reject_reason, older.decision_note) == ("rejected", "wrong_facts", "Not a Series B.")
    assert AgentRun.objects.get(pk=older.run_id).outcome == "dropped"
    assert not OutboundMessage.objects.exists()


def test_regenerating_sends_the_writer_back_with_the_instruction(
    personas, two_drafts, django_capture_on_commit_callbacks
):
    older, _ = two_drafts
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(personas.client_for(personas.rep), "regenerate", older, {"instruction": "Make it short."})
    assert response.status_code == 302
    older.refresh_from_db()
    assert older.decision == "regenerated"
    run = AgentRun.objects.get(pk=older.run_id)
    assert run.regenerations == 1 and run.instruction == "Make it short."
    # The tasks run inline in tests: the new draft is already back in the inbox.
    assert Handoff.objects.filter(run=run, status="open").exclude(pk=older.pk).exists()


def test_an_exception_is_dismissed_with_a_note(personas):
    exception = make_handoff(workspace=personas.workspace, kind="exception")
    client = personas.client_for(personas.rep)
    assert "Say in a note" in _post(client, "dismiss", exception, {"note": ""}, **HTMX).content.decode()
    _post(client, "dismiss", exception, {"note": "Fixed the CRM record."})
    exception.refresh_from_db()
    assert (exception.decision, exception.decision_note) == ("dismissed", "Fixed the CRM record.")


# Take over, write, hand back ---------------------------------------------------------------------


def test_taking_over_stops_the_agents_and_lets_the_rep_write_from_the_app(personas, two_drafts):
    older, newer = two_drafts
    client = personas.client_for(personas.rep)

    response = _post(client, "take_over", older, **HTMX)
    assert _open_item(response) == str(newer.pk)
    assert TakeOver.objects.filter(contact=older.contact, user=personas.rep.user).exists()
    assert Handoff.objects.get(pk=older.pk).decision == "taken_over"

    html = client.get(reverse("review:item", args=[older.pk]), **HTMX).content.decode()
    assert "rep@acme.test owns this conversation" in html
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)
    letter = {"subject": "Following up myself", "body": "Hi Mia, a personal note.", "token": token}
    _post(client, "compose", older, letter, **HTMX)
    _post(client, "compose", older, letter, **HTMX)  # a double submit sends once
    sent = OutboundMessage.objects.get(contact=older.contact)
    assert (sent.subject, sent.approved_by, sent.run) == ("Following up myself", personas.rep.user, None)
    older.refresh_from_db()
    assert older.final_body == "Hi Mia, a personal note."
    taken = client.get(reverse("review:item", args=[older.pk]), **HTMX).content.decode()
    assert '<h4 id="side-sent-title">Sent</h4>' in taken and "Hi Mia, a personal note." in taken

    _post(client, "hand_back", older, **HTMX)
    assert not TakeOver.objects.filter(contact=older.contact).exists()
    assert AuditEvent.objects.filter(verb="contact.handed_back").exists()


def test_only_the_person_who_took_over_or_a_manager_writes_to_the_contact(personas, two_drafts):
    older, _ = two_drafts
    _post(personas.client_for(personas.manager), "take_over", older)
    other_rep_html = personas.client_for(personas.rep).get(reverse("review:item", args=[older.pk]), **HTMX)
    assert "manager@acme.test owns this conversation" in other_rep_html.content.decode()
    assert "Send from the app" not in other_rep_html.content.decode()
    response = _post(
        personas.client_for(personas.rep), "compose", older, {"subject": "Hi", "body": "Hello", "token": "abc"}
    )
    assert response.status_code == 403
    assert not OutboundMessage.objects.exists()


# Snooze and assign -------------------------------------------------------------------------------


def test_a_snoozed_item_leaves_the_list_until_its_time(personas, two_drafts):
    older, newer = two_drafts
    client = personas.client_for(personas.rep)
    response = _post(client, "snooze", older, {"until": "4h"}, **HTMX)
    assert _open_item(response) == str(newer.pk)
    older.refresh_from_db()
    assert older.status == "snoozed"
    assert timedelta(hours=3, minutes=59) < older.snoozed_until - timezone.now() <= timedelta(hours=4)
    assert f'id="row-{older.pk}"' not in client.get(reverse("review:inbox")).content.decode()


def test_a_custom_snooze_is_read_in_the_workspace_time_zone(personas, two_drafts):
    older, _ = two_drafts
    personas.workspace.default_time_zone = "Europe/Berlin"
    personas.workspace.save()
    when = (
        (timezone.now() + timedelta(days=2))
        .astimezone(ZoneInfo("Europe/Berlin"))
        .replace(hour=8, minute=30, second=0, microsecond=0)
    )
    data = {"until": "custom", "custom": when.strftime("%Y-%m-%dT%H:%M")}
    _post(personas.client_for(personas.rep), "snooze", older, data)
    older.refresh_from_db()
    assert older.snoozed_until == when
    refused = _post(personas.client_for(personas.rep), "snooze", older, {"until": "custom"}, **HTMX)
    assert "Choose how long to snooze it." in refused.content.decode()


def test_a_rep_assigns_to_themselves_and_a_manager_to_anyone(personas, two_drafts):
    older, _ = two_drafts
    rep, manager = personas.client_for(personas.rep), personas.client_for(personas.manager)

    response = _post(rep, "assign", older, {"assignee": str(personas.rep.user_id)}, **HTMX)
    assert _open_item(response) == str(older.pk)  # assigning keeps the item open
    assert Handoff.objects.get(pk=older.pk).assignee == personas.rep.user

    assert _post(rep, "assign", older, {"assignee": str(personas.manager.user_id)}).status_code == 403
    _post(manager, "assign", older, {"assignee": str(personas.admin.user_id)})
    assert Handoff.objects.get(pk=older.pk).assignee == personas.admin.user
    refused = _post(manager, "assign", older, {"assignee": str(personas.outsider.user_id)}, **HTMX)
    assert "Assign to a member of this workspace." in refused.content.decode()
    assert AuditEvent.objects.filter(verb="handoff.assigned").count() == 2


# Permissions -------------------------------------------------------------------------------------


def test_a_rep_cannot_act_on_an_item_assigned_to_someone_else(personas, two_drafts):
    older, _ = two_drafts
    Handoff.objects.filter(pk=older.pk).update(assignee=personas.manager.user)
    for name, data in [("approve", {}), ("reject", {"reason": "tone"}), ("take_over", {}), ("snooze", {"until": "1h"})]:
        assert _post(personas.client_for(personas.rep), name, older, data).status_code == 403
    # With htmx the reason replaces the item (htmx does not swap a 403).
    response = _post(personas.client_for(personas.rep), "approve", older, **HTMX)
    assert 'role="alert">This item is assigned to someone else.<' in response.content.decode()
    assert Handoff.objects.get(pk=older.pk).status == "open"
    assert not OutboundMessage.objects.exists()


def test_a_manager_acts_on_an_item_assigned_to_a_rep(personas, two_drafts):
    older, _ = two_drafts
    Handoff.objects.filter(pk=older.pk).update(assignee=personas.rep.user)
    _post(personas.client_for(personas.manager), "approve", older)
    assert Handoff.objects.get(pk=older.pk).decided_by == personas.manager.user


def test_an_outsider_cannot_act_on_an_item(personas, two_drafts):
    older, _ = two_drafts
    for name in ["approve", "reject", "take_over", "snooze", "assign", "dismiss", "edit"]:
        assert _post(personas.client_for(personas.outsider), name, older, {"reason": "tone"}).status_code == 404
    bulk = personas.client_for(personas.outsider).post(
        reverse("review:bulk"), {"action": "approve", "scope": "selected", "ids": [older.pk]}
    )
    assert bulk.status_code == 302
    assert Handoff.objects.get(pk=older.pk).status == "open"


def test_every_action_needs_the_csrf_token(personas, two_drafts):
    older, _ = two_drafts
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.rep.user)
    assert _post(client, "approve", older).status_code == 403
    assert client.post(reverse("review:bulk"), {"action": "approve", "scope": "filter"}).status_code == 403
    assert Handoff.objects.get(pk=older.pk).status == "open"


# Bulk --------------------------------------------------------------------------------------------


def test_bulk_approve_of_the_ticked_items(personas, two_drafts):
    older, newer = two_drafts
    third = make_review_handoff(workspace=personas.workspace)
    response = personas.client_for(personas.rep).post(
        reverse("review:bulk") + "?kind=draft_review",
        {"action": "approve", "scope": "selected", "ids": [older.pk, newer.pk]},
    )
    assert response["Location"] == reverse("review:inbox") + "?kind=draft_review"
    assert _messages(response) == ["2 approved."]
    assert set(Handoff.objects.filter(decision="approved").values_list("pk", flat=True)) == {older.pk, newer.pk}
    assert Handoff.objects.get(pk=third.pk).status == "open"
    assert OutboundMessage.objects.count() == 2
    assert AuditEvent.objects.filter(verb="handoff.bulk_approve", actor="rep@acme.test").exists()


def test_bulk_reject_of_every_item_in_a_filter_leaves_the_others(personas, two_drafts):
    exception = make_handoff(workspace=personas.workspace, kind="exception")
    response = personas.client_for(personas.rep).post(
        reverse("review:bulk") + "?kind=draft_review",
        {"action": "reject", "scope": "filter", "reason": "timing"},
        **HTMX,
    )
    assert _messages(response) == ["2 rejected."]
    assert set(Handoff.objects.filter(reject_reason="timing").values_list("pk", flat=True)) == {
        handoff.pk for handoff in two_drafts
    }
    assert Handoff.objects.get(pk=exception.pk).status == "open"
    assert 'id="inbox-main"' in response.content.decode()


def test_bulk_approve_skips_what_cannot_be_approved_and_says_why(personas, two_drafts):
    older, _ = two_drafts
    exception = make_handoff(workspace=personas.workspace, kind="exception")
    services_first = personas.client_for(personas.manager)
    _post(services_first, "approve", older)
    response = personas.client_for(personas.rep).post(
        reverse("review:bulk"), {"action": "approve", "scope": "selected", "ids": [older.pk, exception.pk]}
    )
    [summary] = _messages(response)
    assert summary.startswith("0 approved, 1 already handled by someone else, 1 left as they were (")
    assert Handoff.objects.get(pk=exception.pk).status == "open"


def test_bulk_needs_a_reason_to_reject_and_items_to_act_on(personas, two_drafts):
    no_reason = personas.client_for(personas.rep).post(reverse("review:bulk"), {"action": "reject", "scope": "filter"})
    assert _messages(no_reason) == ["Choose a reason for the rejection."]
    nothing = personas.client_for(personas.rep).post(reverse("review:bulk"), {"action": "approve", "scope": "selected"})
    assert _messages(nothing) == ["Tick the items to act on first, or choose every item in this filter."]
    assert not Handoff.objects.filter(status="resolved").exists()


def test_bulk_rejecting_with_other_needs_a_note_as_one_rejection_does(personas, two_drafts):
    client = personas.client_for(personas.rep)
    bare = client.post(reverse("review:bulk"), {"action": "reject", "scope": "filter", "reason": "other"})
    assert _messages(bare) == ["Say why in a note when the reason is 'other'."]
    assert not Handoff.objects.filter(status="resolved").exists()
    client.post(reverse("review:bulk"), {"action": "reject", "scope": "filter", "reason": "other", "note": "Dupes."})
    assert Handoff.objects.filter(reject_reason="other", decision_note="Dupes.").count() == 2


def test_a_snooze_until_a_past_time_is_refused(personas, two_drafts):
    older, _ = two_drafts
    past = datetime(2020, 1, 1, 9, 0)
    response = _post(
        personas.client_for(personas.rep),
        "snooze",
        older,
        {"until": "custom", "custom": past.strftime("%Y-%m-%dT%H:%M")},
    )
    assert _messages(response) == ["Snooze until a time in the future."]
    assert Handoff.objects.get(pk=older.pk).status == "open"
