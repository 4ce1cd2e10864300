import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from salesops.admin import AuditEventAdmin
from salesops.audit import audit_record, audit_verify_chain, member_audit
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


def _record_three(workspace):
    return [
        audit_record(workspace=workspace, verb=f"thing.done{i}", actor="agent:writer", after={"n": i}) for i in range(3)
    ]


def test_events_are_numbered_and_linked_per_workspace(personas):
    first, second, third = _record_three(personas.workspace)
    other = audit_record(workspace=personas.outsider.workspace, verb="x", actor="system")
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert second.previous_hash == first.hash and third.previous_hash == second.hash
    assert other.sequence == 1 and other.previous_hash == ""
    assert audit_verify_chain(workspace=personas.workspace).intact


def test_verification_names_the_first_tampered_event(personas, capsys):
    events = _record_three(personas.workspace)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE salesops_auditevent SET after = %s WHERE id = %s", ['{"n": 99}', events[1].pk])
    report = audit_verify_chain(workspace=personas.workspace)
    assert not report.intact
    assert report.first_broken.pk == events[1].pk
    with pytest.raises(CommandError):
        call_command("verify_audit", workspace=personas.workspace.slug)
    assert f"sequence={events[1].sequence}" in capsys.readouterr().out


def test_a_deleted_event_breaks_the_chain(personas):
    events = _record_three(personas.workspace)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM salesops_auditevent WHERE id = %s", [events[1].pk])
    report = audit_verify_chain(workspace=personas.workspace)
    assert report.first_broken.pk == events[2].pk


def test_a_members_event_names_the_person_and_links_their_user(personas):
    rep = personas.rep
    event = member_audit(
        workspace=rep.workspace,
        user=rep.user,
        verb="handoff.snoozed",
        target=rep,
        before={"status": "open"},
        after={"status": "snoozed"},
    )
    event.refresh_from_db()
    assert (event.actor, event.actor_user_id) == (rep.user.email, rep.user.pk)
    assert (event.workspace_id, event.verb) == (rep.workspace.pk, "handoff.snoozed")
    assert (event.target_type, event.target_id) == ("salesops.membership", str(rep.pk))
    assert (event.before, event.after) == ({"status": "open"}, {"status": "snoozed"})
    assert audit_verify_chain(workspace=rep.workspace).intact


def test_a_members_event_may_name_its_target_by_type_and_id(personas):
    event = member_audit(
        workspace=personas.workspace,
        user=personas.manager.user,
        verb="handoff.bulk_approve",
        target_type="agents.handoff",
        target_id="bulk",
    )
    assert (event.target_type, event.target_id) == ("agents.handoff", "bulk")


def test_a_sign_in_without_a_workspace_goes_to_the_system_chain(personas):
    user = personas.admin.user
    event = member_audit(workspace=None, user=user, verb="auth.logged_in", target=user)
    assert event.workspace_id is None and event.actor == user.email and event.actor_user_id == user.pk
    assert audit_verify_chain(workspace=None).intact


@pytest.mark.parametrize("user", [AnonymousUser(), None], ids=["anonymous user", "no user"])
def test_a_request_without_a_signed_in_person_is_recorded_as_anonymous(personas, user):
    event = member_audit(workspace=personas.workspace, user=user, verb="security.forbidden")
    assert (event.actor, event.actor_user_id) == ("anonymous", None)


def test_events_cannot_be_changed_or_deleted_through_the_app(personas, rf):
    event = audit_record(workspace=personas.workspace, verb="x", actor="system")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="y")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    admin = AuditEventAdmin(AuditEvent, None)
    request = rf.get("/")
    request.user = personas.admin.user
    assert not admin.has_change_permission(request, event)
    assert not admin.has_delete_permission(request, event)
    assert not admin.has_add_permission(request)


def test_admins_filter_the_audit_page_and_see_only_their_workspace(personas, django_assert_max_num_queries):
    audit_record(workspace=personas.workspace, verb="campaign.activated", actor="manager@acme.test")
    audit_record(workspace=personas.workspace, verb="handoff.approved", actor="rep@acme.test")
    audit_record(workspace=personas.outsider.workspace, verb="campaign.activated", actor="boss@rival.test")
    client = personas.client_for(personas.admin)

    page = client.get(reverse("audit_list"), {"verb": "campaign"})
    events = list(page.context["page"].object_list)
    assert [e.actor for e in events] == ["manager@acme.test"]

    by_actor = client.get(reverse("audit_list"), {"actor": "rep@"})
    assert [e.verb for e in by_actor.context["page"].object_list] == ["handoff.approved"]
    assert "boss@rival.test" not in client.get(reverse("audit_list")).text

    fragment = client.get(reverse("audit_list"), {"verb": "handoff"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "handoff.approved" in fragment.text


def test_the_audit_page_keeps_a_constant_number_of_queries(personas, django_assert_num_queries):
    for i in range(60):
        audit_record(workspace=personas.workspace, verb=f"v{i % 3}", actor="system")
    client = personas.client_for(personas.admin)
    client.get(reverse("audit_list"))  # warm the session
    # session, user, membership (+workspace), count, page of events, distinct verbs
    with django_assert_num_queries(6):
        client.get(reverse("audit_list"))


def test_verify_from_the_page_reports_the_result(personas):
    _record_three(personas.workspace)
    client = personas.client_for(personas.admin)
    response = client.post(reverse("audit_verify"), follow=True)
    assert "The audit chain is intact" in response.text
