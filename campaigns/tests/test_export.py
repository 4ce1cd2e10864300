"""Exporting contacts as CSV: streamed, workspace-scoped, safe to open in a spreadsheet, importable again."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.urls import reverse

from campaigns import csv_import
from campaigns.models import ImportJob
from campaigns.tests.factories import make_account, make_contact
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _export(client) -> tuple[StreamingHttpResponse, list[list[str]]]:
    response = client.get(reverse("campaigns:contacts_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "a byte order mark, so that Excel reads UTF-8"
    return response, list(csv.reader(io.StringIO(text[1:])))


def test_a_manager_exports_the_workspaces_contacts_as_a_streamed_csv(personas):
    account = make_account(workspace=personas.workspace, domain="acme.com", name="Acme")
    make_contact(workspace=personas.workspace, account=account, email="ada@acme.com", first_name="Ada", title="CTO")
    make_contact(workspace=personas.outsider.workspace, email="secret@rival.test")

    response, rows = _export(personas.client_for(personas.manager))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert rows[0][:4] == ["email", "first_name", "last_name", "title"]
    assert "account_domain" in rows[0]
    assert len(rows) == 2, "only this workspace's contacts"
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert (exported["email"], exported["first_name"], exported["account_domain"]) == (
        "ada@acme.com",
        "Ada",
        "acme.com",
    )
    event = AuditEvent.objects.get(workspace=personas.workspace, verb="contacts.exported")
    assert (event.actor, event.after) == ("manager@acme.test", {"contacts": 1})


@pytest.mark.parametrize(
    "dangerous", ['=HYPERLINK("http://evil.test","click")', "+41 44 000", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_cells_that_a_spreadsheet_would_run_as_formulas_get_a_leading_apostrophe(personas, dangerous):
    make_contact(workspace=personas.workspace, email="f@acme.com", first_name=dangerous, title="Head of = signs")

    _, rows = _export(personas.client_for(personas.admin))

    exported = dict(zip(rows[0], rows[1], strict=True))
    assert exported["first_name"] == "'" + dangerous
    assert exported["title"] == "Head of = signs", "only a leading formula character matters"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_csv_safe_neutralises_each_formula_prefix(value):
    assert csv_import.csv_safe(value) == "'" + value
    assert csv_import.csv_safe("plain") == "plain"
    assert csv_import.csv_safe(None) == ""


def test_an_export_imported_again_changes_nothing(personas, django_capture_on_commit_callbacks):
    account = make_account(workspace=personas.workspace, domain="acme.com")
    for number in range(3):
        make_contact(workspace=personas.workspace, account=account, email=f"p{number}@acme.com", title="-VP-")
    client = personas.client_for(personas.manager)
    response = client.get(reverse("campaigns:contacts_export"))
    content = b"".join(response.streaming_content)

    upload = client.post(
        reverse("campaigns:import_new"),
        {"kind": "contacts", "file": SimpleUploadedFile("export.csv", content, "text/csv")},
    )
    assert upload.status_code == 302
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:import_mapping", args=[job.pk]), job.mapping)
    job.refresh_from_db()

    assert job.mapping["account_domain"] == "account_domain"
    assert (job.rows_unchanged, job.rows_created, job.rows_updated, job.rows_failed) == (3, 0, 0, 0)


def test_a_rep_may_not_export(personas):
    make_contact(workspace=personas.workspace)
    response = personas.client_for(personas.rep).get(reverse("campaigns:contacts_export"))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(verb="contacts.exported").exists()
