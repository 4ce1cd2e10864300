"""Whether an address is suppressed: an entry for the address itself or for its domain, in its own workspace,
whatever the case it is written in. The batch form (scheduler, sender) and the one-address form (follow-ups,
the contact page) give the same answer."""

import pytest
from django.db.models import Exists, OuterRef

from agents.delivery.models import Suppression
from agents.delivery.suppression import address_suppress, suppressed_addresses, suppressions_covering
from campaigns.models import Contact
from campaigns.tests.factories import make_contact

pytestmark = pytest.mark.django_db

CASES = [
    # (address, its domain, suppressed?)
    ("ada@blocked.example", "blocked.example", True),  # the address's own entry
    ("Ada@Blocked.Example", "Blocked.Example", True),  # the entry is stored lower-case
    ("bob@closed.example", "closed.example", True),  # its domain's entry
    ("cy@CLOSED.example", "CLOSED.example", True),
    ("ada@other.example", "other.example", False),  # same local part, another domain
    ("bob@sub.closed.example", "sub.closed.example", False),  # a domain entry is not a suffix match
]


@pytest.fixture
def entries(personas):
    Suppression.objects.create(workspace=personas.workspace, kind="email", value="ada@blocked.example", reason="manual")
    Suppression.objects.create(workspace=personas.workspace, kind="domain", value="closed.example", reason="manual")
    # Another workspace's list says nothing about ours.
    Suppression.objects.create(
        workspace=personas.outsider.workspace, kind="email", value="ada@other.example", reason="manual"
    )


@pytest.mark.parametrize(("email", "domain", "expected"), CASES)
def test_a_batch_answers_per_address(personas, entries, email, domain, expected):
    suppressed = suppressed_addresses(workspace_ids=[personas.workspace.pk], emails=[email], domains=[domain])
    assert suppressed.covers(workspace_id=personas.workspace.pk, email=email, domain=domain) is expected


def test_a_batch_reads_every_address_in_one_query(personas, entries, django_assert_num_queries):
    emails = [email for email, _, _ in CASES]
    domains = [domain for _, domain, _ in CASES]
    with django_assert_num_queries(1):
        suppressed = suppressed_addresses(
            workspace_ids=[personas.workspace.pk, personas.outsider.workspace_id], emails=emails, domains=domains
        )
    answers = [
        suppressed.covers(workspace_id=personas.workspace.pk, email=email, domain=domain) for email, domain, _ in CASES
    ]
    assert answers == [expected for _, _, expected in CASES]
    assert suppressed.covers(
        workspace_id=personas.outsider.workspace_id, email="ada@other.example", domain="other.example"
    )


@pytest.mark.parametrize(("email", "domain", "expected"), [case for case in CASES if case[0] == case[0].lower()])
def test_one_address_gets_the_same_answer(personas, entries, email, domain, expected):
    covering = suppressions_covering(workspace_id=personas.workspace.pk, email=email, domain=domain)
    assert covering.exists() is expected


def test_one_address_can_be_tested_for_many_rows_at_once(personas, entries):
    blocked = make_contact(workspace=personas.workspace, email="ada@blocked.example")
    free = make_contact(workspace=personas.workspace, email="ada@other.example")
    contacts = Contact.objects.filter(pk__in=[blocked.pk, free.pk]).annotate(
        suppressed=Exists(
            suppressions_covering(workspace_id=personas.workspace.pk, email=OuterRef("email"), domain="none.example")
        )
    )
    assert dict(contacts.values_list("pk", "suppressed")) == {blocked.pk: True, free.pk: False}


def test_an_address_is_put_on_the_list_once_lower_case_keeping_the_first_reason(personas):
    # Unsubscribe, bounces, complaints and replies asking to stop all suppress through this one door.
    workspace_id = personas.workspace.pk
    first = address_suppress(workspace_id=workspace_id, email="Ada@Example.COM", reason="bounce", note="550 " * 200)
    again = address_suppress(workspace_id=workspace_id, email="ada@example.com", reason="unsubscribe", note="via link")
    assert (first, again) == (True, False)
    [entry] = Suppression.objects.filter(workspace_id=workspace_id)
    assert (entry.kind, entry.value, entry.reason, len(entry.note)) == ("email", "ada@example.com", "bounce", 300)


def test_a_campaigns_audience_leaves_out_whom_the_suppression_list_covers(personas, entries):
    from campaigns.audience import campaign_audience
    from campaigns.tests.factories import make_account, make_campaign

    campaign = make_campaign(workspace=personas.workspace)
    answers = {email.lower(): expected for email, _, expected in CASES}
    for number, email in enumerate(answers):
        account = make_account(
            workspace=personas.workspace,
            industry="Software",
            employee_count=300,
            country="DE",
            domain=f"a{number}.test",
        )
        make_contact(workspace=personas.workspace, account=account, email=email, title="VP Sales")

    audience = campaign_audience(campaign)

    suppressed = sum(answers.values())
    assert audience.counts.suppressed == suppressed
    assert audience.counts.eligible == len(answers) - suppressed
