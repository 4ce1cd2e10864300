"""CSV import: upload, column mapping with preview, the background job, its progress and its row errors."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from campaigns import csv_import, ingest
from campaigns.models import Account, Contact, ImportJob, ImportRowError
from campaigns.tests.factories import make_account
from salesops.models import AuditEvent

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def _upload(client, kind: str, name: str, content: bytes):
    return client.post(
        reverse("campaigns:import_new"), {"kind": kind, "file": SimpleUploadedFile(name, content, "text/csv")}
    )


def _uploaded_job(client, kind: str, name: str, content: bytes) -> ImportJob:
    response = _upload(client, kind, name, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("id")
    assert response["Location"] == reverse("campaigns:import_mapping", args=[job.pk])
    return job


def _start(client, job: ImportJob, capture, mapping: dict | None = None):
    with capture(execute=True):
        response = client.post(reverse("campaigns:import_mapping", args=[job.pk]), mapping or job.mapping)
    assert response.status_code == 302, response.content.decode()[:2000]
    job.refresh_from_db()
    return job


def _import(client, kind, name, content, capture, mapping=None) -> ImportJob:
    return _start(client, _uploaded_job(client, kind, name, content), capture, mapping)


# --- the whole flow ---------------------------------------------------------------------------


def test_a_manager_imports_a_hubspot_contacts_export(personas, django_capture_on_commit_callbacks):
    make_account(workspace=personas.workspace, domain="acme.com")
    make_account(workspace=personas.workspace, domain="beta.io")
    client = personas.client_for(personas.manager)

    job = _uploaded_job(client, "contacts", "hubspot.csv", (DATA / "hubspot_contacts.csv").read_bytes())

    assert job.encoding == "utf-8-sig"
    assert job.headers[0] == "Record ID", "the byte order mark is not part of the first header"
    assert job.mapping["email"] == "Email"
    assert job.mapping["first_name"] == "First Name"
    assert job.mapping["title"] == "Job Title"
    assert job.mapping["account_domain"] == "Company Domain Name"
    assert job.mapping["crm_id"] == "Record ID"
    page = client.get(reverse("campaigns:import_mapping", args=[job.pk]))
    assert page.status_code == 200
    assert "Not imported: Contact owner, Lifecycle Stage." in page.text
    preview = page.context["preview"]
    assert [row.row_number for row in preview] == [2, 3, 4]
    assert "ada@acme.com" in [cell.value for cell in preview[0].cells], "the preview shows values as imported"
    assert Contact.objects.count() == 0, "nothing is imported before the person starts it"

    job = _start(client, job, django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.DONE
    assert (job.rows_total, job.rows_processed, job.rows_created, job.rows_failed) == (3, 3, 3, 0)
    grace = Contact.objects.get(workspace=personas.workspace, email="grace@beta.io")
    assert grace.title == "Head of\r\nEngineering", "a quoted cell may span lines"
    assert grace.account.domain == "beta.io"
    assert grace.crm_id == "102"
    assert Contact.objects.get(email="alan@acme.com").title == 'Researcher, "AI"'
    verbs = set(AuditEvent.objects.filter(workspace=personas.workspace).values_list("verb", flat=True))
    assert {"import.uploaded", "import.started", "contacts.upserted", "import.finished"} <= verbs
    detail = client.get(reverse("campaigns:import_detail", args=[job.pk]))
    assert "Every row was imported." in detail.text


def test_it_reads_a_windows_1252_semicolon_separated_salesforce_export(personas, django_capture_on_commit_callbacks):
    client = personas.client_for(personas.admin)
    content = (DATA / "salesforce_accounts_cp1252.csv").read_bytes()

    job = _import(client, "accounts", "accounts.csv", content, django_capture_on_commit_callbacks)

    assert (job.encoding, job.delimiter) == ("cp1252", ";")
    assert job.mapping["name"] == "Account Name"
    assert job.mapping["domain"] == "Website"
    assert job.mapping["employee_count"] == "Number of Employees"
    assert job.mapping["country"] == "Billing Country"
    assert job.mapping["crm_id"] == "Account ID"
    assert job.status == ImportJob.Status.DONE
    assert job.rows_created == 3
    accounts = {account.domain: account for account in Account.objects.filter(workspace=personas.workspace)}
    assert accounts["acme.com"].employee_count == 1200
    assert accounts["beta.io"].name == "Beta Café"
    assert accounts["mueller-logistik.de"].name == "Müller Logistik"
    assert accounts["mueller-logistik.de"].employee_count is None


def test_it_reads_utf8_without_a_byte_order_mark_and_with_one(personas, django_capture_on_commit_callbacks):
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)
    body = "Email,First Name,Company Domain Name\nzoe@acme.com,Zoë,acme.com\n".encode()

    plain = _import(client, "contacts", "plain.csv", body, django_capture_on_commit_callbacks)
    with_bom = _import(client, "contacts", "bom.csv", b"\xef\xbb\xbf" + body, django_capture_on_commit_callbacks)

    assert plain.encoding == with_bom.encoding == "utf-8-sig"
    assert with_bom.headers == plain.headers == ["Email", "First Name", "Company Domain Name"]
    assert (plain.rows_created, with_bom.rows_unchanged) == (1, 1)
    assert Contact.objects.get(email="zoe@acme.com").first_name == "Zoë"


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ('"Name, full";Email\n"Doe, Jane";jane@x.com\n', ";"),
        ("email\nx@y.com\n", ","),
    ],
)
def test_it_detects_the_delimiter(sample, delimiter):
    assert csv_import.sniff_delimiter(sample) == delimiter


def test_it_recognises_common_crm_headers():
    salesforce = csv_import.suggest_mapping(
        "contacts", ["Contact ID", "First Name", "Last Name", "Email", "Title", "Account Website", "Mailing Country"]
    )
    assert salesforce["crm_id"] == "Contact ID"
    assert salesforce["title"] == "Title"
    assert salesforce["account_domain"] == "Account Website"
    accounts = csv_import.suggest_mapping("accounts", ["Company name", "Website URL", "Number of Employees", "Owner"])
    assert accounts == {
        "domain": "Website URL",
        "name": "Company name",
        "industry": "",
        "employee_count": "Number of Employees",
        "country": "",
        "tier": "",
        "crm_id": "",
        "owner": "Owner",
    }
    ours = csv_import.suggest_mapping("signals", ["source", "external_id", "account_domain", "kind", "occurred_at"])
    assert ours["external_id"] == "external_id"
    assert ours["title"] == ""


# --- refusals ---------------------------------------------------------------------------------


def test_it_refuses_a_file_over_the_limit_before_storing_anything(personas, settings, _media_root):
    settings.SALESOPS_IMPORT_MAX_BYTES = 100
    client = personas.client_for(personas.manager)

    response = _upload(client, "contacts", "big.csv", b"email\n" + b"someone@example.com\n" * 10)

    assert response.status_code == 400
    assert "This file is 206\xa0bytes; imports take files of up to 100\xa0bytes." in response.text
    assert not ImportJob.objects.exists()
    assert _stored_files(_media_root) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"   \n\n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is not a CSV file (an Excel workbook?)"),
        (b"email,first_name\n", "The file has a header row but no rows to import."),
    ],
)
def test_it_refuses_files_it_cannot_import(personas, content, message, _media_root):
    response = _upload(personas.client_for(personas.manager), "contacts", "x.csv", content)
    assert response.status_code == 400
    assert message in response.text
    assert not ImportJob.objects.exists()
    assert _stored_files(_media_root) == []


def test_it_refuses_a_mapping_without_the_required_email_column(personas, django_capture_on_commit_callbacks):
    client = personas.client_for(personas.manager)
    job = _uploaded_job(client, "contacts", "no-email.csv", b"First Name,Company Domain Name\nAda,acme.com\n")

    page = client.get(reverse("campaigns:import_mapping", args=[job.pk]))
    assert "Choose the column holding Email: contacts cannot be imported without it." in page.text

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("campaigns:import_mapping", args=[job.pk]), job.mapping)
    assert response.status_code == 400
    assert "Choose the column holding Email" in response.text
    assert callbacks == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_a_corrected_mapping_is_previewed_and_used(personas, django_capture_on_commit_callbacks):
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)
    job = _uploaded_job(client, "contacts", "odd.csv", b"Mail,Firm,Who\nada@acme.com,acme.com,Ada\n")
    assert job.mapping["email"] == ""
    mapping = {**job.mapping, "email": "Mail", "account_domain": "Firm", "first_name": "Who"}

    fragment = client.get(reverse("campaigns:import_mapping", args=[job.pk]), mapping, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'id="preview"' in fragment.text
    assert "ada@acme.com" in fragment.text

    job = _start(client, job, django_capture_on_commit_callbacks, mapping)
    assert job.rows_created == 1
    assert Contact.objects.get(email="ada@acme.com").first_name == "Ada"


def test_a_job_starts_once(personas, django_capture_on_commit_callbacks):
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)
    job = _import(
        client, "contacts", "c.csv", b"email,account_domain\na@acme.com,acme.com\n", django_capture_on_commit_callbacks
    )

    again = client.post(reverse("campaigns:import_mapping", args=[job.pk]), job.mapping)

    assert again.status_code == 302
    assert again["Location"] == reverse("campaigns:import_detail", args=[job.pk])
    assert AuditEvent.objects.filter(verb="import.started").count() == 1


# --- row errors -------------------------------------------------------------------------------


def test_bad_rows_are_listed_with_their_spreadsheet_row_numbers_and_good_rows_are_kept(
    personas, django_capture_on_commit_callbacks
):
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)

    job = _import(
        client,
        "contacts",
        "errors.csv",
        (DATA / "contacts_with_errors.csv").read_bytes(),
        django_capture_on_commit_callbacks,
    )

    assert job.status == ImportJob.Status.DONE
    assert (job.rows_processed, job.rows_created, job.rows_failed) == (6, 2, 4)
    assert set(Contact.objects.values_list("email", flat=True)) == {"ok@acme.com", "fine@acme.com"}
    fine = Contact.objects.get(email="fine@acme.com")
    assert (fine.linkedin_url, fine.status) == ("https://linkedin.com/in/fine", "in_sequence")
    errors = list(ImportRowError.objects.filter(job=job).values_list("row_number", "message"))
    assert errors == [
        (3, "email: Enter a valid email address."),
        (4, "account_domain: unknown account example.com"),
        (5, "email: This field is required."),
        (6, "status: Unknown contact status 'hot'; use one of: new, in_sequence, replied, meeting_booked, "
            "unsubscribed, bounced, do_not_contact."),
    ]  # fmt: skip
    page = client.get(reverse("campaigns:import_detail", args=[job.pk]))
    assert "unknown account example.com" in page.text
    assert reverse("campaigns:import_errors_csv", args=[job.pk]) in page.text


def test_the_row_errors_download_as_csv_with_the_original_values(personas, django_capture_on_commit_callbacks):
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)
    job = _import(
        client,
        "contacts",
        "errors.csv",
        (DATA / "contacts_with_errors.csv").read_bytes(),
        django_capture_on_commit_callbacks,
    )

    response = client.get(reverse("campaigns:import_errors_csv", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="import-{job.pk}-errors.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["row", "message", "email", "account_domain", "first_name", "linkedin_url", "status"]
    assert rows[1] == ["3", "email: Enter a valid email address.", "not-an-email", "acme.com", "Bad Email", "", ""]
    assert rows[3][:3] == ["5", "email: This field is required.", ""]
    assert rows[3][4] == '\'=HYPERLINK("http://evil.test")', "a formula in the file comes back neutralised"
    assert len(rows) == 5


def test_the_row_errors_are_paginated(personas, django_capture_on_commit_callbacks):
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)
    lines = ["email,account_domain"] + [f"broken{number},acme.com" for number in range(120)]
    job = _import(client, "contacts", "bad.csv", "\n".join(lines).encode(), django_capture_on_commit_callbacks)
    assert job.rows_failed == 120

    first = client.get(reverse("campaigns:import_detail", args=[job.pk]))
    last = client.get(reverse("campaigns:import_detail", args=[job.pk]), {"page": 3})

    assert first.context["errors_page"].object_list[0].row_number == 2
    assert len(first.context["errors_page"].object_list) == 50
    assert "Page 1 of 3" in first.text
    assert [error.row_number for error in last.context["errors_page"].object_list] == list(range(102, 122))


# --- re-import, batches, resume and failure ---------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(personas, django_capture_on_commit_callbacks):
    client = personas.client_for(personas.manager)
    content = (DATA / "salesforce_accounts_cp1252.csv").read_bytes()
    _import(client, "accounts", "a.csv", content, django_capture_on_commit_callbacks)
    before = list(Account.objects.order_by("id").values())

    again = _import(client, "accounts", "a.csv", content, django_capture_on_commit_callbacks)

    assert (again.rows_created, again.rows_updated, again.rows_unchanged, again.rows_failed) == (0, 0, 3, 0)
    assert list(Account.objects.order_by("id").values()) == before


def test_a_large_file_is_imported_in_batches_with_progress_counted(
    personas, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(csv_import, "BATCH_SIZE", 10)
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)
    lines = ["email,account_domain"] + [f"p{number}@acme.com,acme.com" for number in range(25)]
    lines.insert(5, ",")  # a blank row is skipped, not an error

    job = _import(client, "contacts", "many.csv", "\n".join(lines).encode(), django_capture_on_commit_callbacks)

    assert (job.rows_total, job.rows_processed, job.rows_created) == (25, 25, 25)
    upserts = AuditEvent.objects.filter(workspace=personas.workspace, verb="contacts.upserted").order_by("sequence")
    assert [event.after["rows"] for event in upserts] == [10, 10, 5]
    assert upserts[0].actor == f"manager@acme.test via import #{job.pk}"


def test_a_job_interrupted_midway_resumes_after_its_last_batch(
    personas, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(csv_import, "BATCH_SIZE", 10)
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)
    lines = ["email,account_domain"] + [f"p{number}@acme.com,acme.com" for number in range(25)]
    job = _uploaded_job(client, "contacts", "many.csv", "\n".join(lines).encode())
    real_upsert = ingest.UPSERTS["contacts"]
    calls = []

    def crash_on_second_batch(**kwargs):
        calls.append(len(kwargs["rows"]))
        if len(calls) == 2:
            raise SystemExit("the worker was killed")
        return real_upsert(**kwargs)

    monkeypatch.setitem(ingest.UPSERTS, "contacts", crash_on_second_batch)
    with pytest.raises(SystemExit):
        _start(client, job, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.rows_processed) == (ImportJob.Status.RUNNING, 10)

    job = csv_import.import_job_run(job_id=job.pk)  # the broker hands the task out again

    assert (job.status, job.rows_processed, job.rows_created) == (ImportJob.Status.DONE, 25, 25)
    assert calls == [10, 10, 10, 5]
    assert Contact.objects.filter(workspace=personas.workspace).count() == 25


def test_a_failing_task_marks_the_job_failed_with_the_reason(personas, monkeypatch, django_capture_on_commit_callbacks):
    client = personas.client_for(personas.manager)
    job = _uploaded_job(client, "contacts", "c.csv", b"email,account_domain\na@acme.com,acme.com\n")

    def explode(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setitem(ingest.UPSERTS, "contacts", explode)
    job = _start(client, job, django_capture_on_commit_callbacks)  # the task's error is logged, not raised here

    assert job.status == ImportJob.Status.FAILED
    assert job.failure_reason == "RuntimeError: database went away"
    assert job.finished_at is not None
    assert AuditEvent.objects.filter(workspace=personas.workspace, verb="import.failed").exists()
    page = client.get(reverse("campaigns:import_detail", args=[job.pk]))
    assert "The import stopped:" in page.text
    assert "RuntimeError: database went away" in page.text
    assert 'hx-trigger="every 1s"' not in page.text


# --- the job page -----------------------------------------------------------------------------


def test_the_job_page_polls_while_the_import_runs_and_stops_when_it_is_done(
    personas, django_capture_on_commit_callbacks
):
    make_account(workspace=personas.workspace, domain="acme.com")
    client = personas.client_for(personas.manager)
    job = _uploaded_job(client, "contacts", "c.csv", b"email,account_domain\na@acme.com,acme.com\n")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, rows_total=40, rows_processed=10)
    url = reverse("campaigns:import_detail", args=[job.pk])

    running = client.get(url, headers={"HX-Request": "true"})

    assert running.status_code == 200
    assert running.text.lstrip().startswith('<section id="job-status"'), "htmx gets the fragment, not the page"
    assert f'hx-get="{url}"' in running.text
    assert 'hx-trigger="every 1s"' in running.text
    assert '<progress id="import-progress" class="import-progress" max="40" value="10">' in running.text

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED, rows_total=0, rows_processed=0)
    csv_import.import_job_run(job_id=job.pk)
    done = client.get(url, headers={"HX-Request": "true"})

    assert "hx-trigger" not in done.text, "the finished fragment stops the polling"
    assert "<dt>Created</dt><dd>1</dd>" in done.text
    full = client.get(url)
    assert "<html" in full.text and 'id="job-status"' in full.text


def test_the_job_list_shows_recent_imports_in_constant_queries(
    personas, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client = personas.client_for(personas.manager)
    for number in range(3):
        _uploaded_job(client, "contacts", f"file{number}.csv", b"email,account_domain\na@acme.com,acme.com\n")

    # session, user, membership, the jobs with their uploader, the security-event-free render
    with django_assert_max_num_queries(6):
        response = client.get(reverse("campaigns:import_list"))

    assert response.status_code == 200
    assert [job.original_name for job in response.context["jobs"]] == ["file2.csv", "file1.csv", "file0.csv"]
    assert "file1.csv" in response.text


# --- tenancy and roles ------------------------------------------------------------------------


def test_another_workspaces_job_answers_404(personas):
    job = _uploaded_job(
        personas.client_for(personas.manager), "contacts", "c.csv", b"email,account_domain\na@acme.com,acme.com\n"
    )
    outsider = personas.client_for(personas.outsider)
    for name in ("import_detail", "import_mapping", "import_errors_csv"):
        assert outsider.get(reverse(f"campaigns:{name}", args=[job.pk])).status_code == 404
    response = outsider.post(reverse("campaigns:import_mapping", args=[job.pk]), {"email": "email"})
    assert response.status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_a_rep_may_not_import(personas, _media_root):
    client = personas.client_for(personas.rep)

    assert client.get(reverse("campaigns:import_new")).status_code == 403
    response = _upload(client, "contacts", "c.csv", b"email,account_domain\na@acme.com,acme.com\n")

    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert _stored_files(_media_root) == []


def test_the_service_refuses_a_rep_too(personas):
    upload = SimpleUploadedFile("c.csv", b"email,account_domain\na@acme.com,acme.com\n")
    with pytest.raises(csv_import.PermissionDenied):
        csv_import.import_job_create(membership=personas.rep, kind="contacts", upload=upload)


# --- the benchmark command --------------------------------------------------------------------


def test_the_benchmark_imports_through_the_upload_path_and_reimports_unchanged(personas):
    out = io.StringIO()

    call_command("bench_import", contacts=60, small=20, stdout=out)

    report = out.getvalue()
    assert "contacts        60 rows" in report
    assert "contacts        20 rows" in report
    assert "peak RSS" in report
    assert "all 60 rows unchanged" in report


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_imports_in_a_browser_and_the_job_page_follows_progress(live_server, page, personas):
    from salesops.tests.factories import PASSWORD

    make_account(workspace=personas.workspace, domain="acme.com")
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(live_server.url + reverse("campaigns:import_new"))
    page.get_by_label("Email").fill("manager@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/imports/new/")

    page.get_by_label("Contacts").check()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "odd.csv", "mimeType": "text/csv", "buffer": b"Mail,Firm\nada@acme.com,acme.com\n"}]
    )
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url("**/mapping/")
    assert "Choose the column holding Email" in page.locator("#preview").inner_text()
    page.get_by_label("Email").select_option("Mail")
    page.get_by_label("Account domain").select_option("Firm")
    page.locator("#preview").get_by_text("ada@acme.com").wait_for()  # htmx refreshed the preview
    page.get_by_role("button", name="Start the import").click()
    page.wait_for_url("**/imports/*/")
    assert "Every row was imported." in page.locator("#job-status").inner_text()
    assert Contact.objects.filter(workspace=personas.workspace, email="ada@acme.com").exists()

    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, rows_total=10, rows_processed=4)
    page.goto(live_server.url + reverse("campaigns:import_detail", args=[job.pk]))
    assert page.locator("#import-progress").get_attribute("value") == "4"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, rows_processed=10, rows_unchanged=10)
    page.get_by_text("Every row was imported.").wait_for(timeout=5000)  # the next poll brought the result
    assert page.locator("#job-status").get_attribute("hx-trigger") is None
    # htmx's own indicator <style> is refused on every page (base layout, not this feature); scripts never are.
    assert [message for message in refused if "script-src" in message] == [], refused
