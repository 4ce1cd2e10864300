"""CSV import and export: reading and sniffing files, mapping their columns, running import jobs.

An upload is checked (size, encoding, delimiter, header row) and stored as an `ImportJob`; the
person then confirms the column mapping we suggest; a django-q2 task streams the file in batches
through `campaigns.ingest`, the same code path as the JSON API, counting progress as it goes.
Nothing here holds a whole file in memory: files are read record by record.
"""

import codecs
import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import reset_queries, transaction
from django.db.models import F, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django_q.exceptions import TimeoutException
from django_q.tasks import async_task

# The module: campaigns.tasks imports this one, and the import job is enqueued by reference to its task.
from campaigns import ingest, lists, tasks
from campaigns.models import Contact, ImportJob, ImportRowError
from salesops.audit import actor_label, audit_record, member_audit
from salesops.models import Membership, Role, Workspace

logger = logging.getLogger(__name__)

UTF8 = "utf-8-sig"  # reads UTF-8 with or without a byte order mark
CP1252 = "cp1252"  # what Excel on Windows writes when it is not told otherwise
ENCODING_LABELS = {UTF8: "UTF-8", CP1252: "Windows-1252"}
DELIMITERS = (",", ";", "\t")
DELIMITER_LABELS = {",": "comma", ";": "semicolon", "\t": "tab"}
SNIFF_BYTES = 64 * 1024
BATCH_SIZE = 2000
PREVIEW_ROWS = 5
# A cell starting with one of these is a formula to a spreadsheet: exports neutralise it.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------------------------
# Which columns hold which of our fields


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    required: bool
    # Header spellings we recognise, in order of preference: our name, then CRM exports'.
    aliases: tuple[str, ...] = ()


def _fields(kind: ingest.RowKind, labels: dict[str, str], aliases: dict[str, tuple[str, ...]]) -> list[ImportField]:
    required = set(kind.key_fields) | set(kind.create_fields)
    return [ImportField(name, labels[name], name in required, (name, *aliases.get(name, ()))) for name in kind.fields]


IMPORT_FIELDS: dict[str, list[ImportField]] = {
    ImportJob.Kind.ACCOUNTS: _fields(
        ingest.ACCOUNTS,
        labels={
            "domain": "Domain",
            "name": "Name",
            "industry": "Industry",
            "employee_count": "Employees",
            "country": "Country (2 letters)",
            "tier": "Tier",
            "crm_id": "CRM id",
            "owner": "Owner (a member's email or name)",
        },
        aliases={
            "domain": ("Company Domain Name", "Website URL", "Website", "Company Website", "Web Site", "URL"),
            "name": ("Account Name", "Company Name", "Company", "Organization", "Organisation"),
            "employee_count": ("Number of Employees", "Employees", "Employee Count", "NumberOfEmployees", "Headcount"),
            "country": ("Country/Region", "Billing Country", "Country Code", "Mailing Country", "BillingCountry"),
            "tier": ("Account Tier", "Customer Tier"),
            "crm_id": ("Record ID", "Account ID", "Company ID", "Id", "CRM ID"),
            "owner": ("Company owner", "Account Owner", "Owner", "Owner Email"),
        },
    ),
    ImportJob.Kind.CONTACTS: _fields(
        ingest.CONTACTS,
        labels={
            "email": "Email",
            "account_domain": "Account domain",
            "first_name": "First name",
            "last_name": "Last name",
            "title": "Job title",
            "phone": "Phone",
            "seniority": "Seniority",
            "department": "Department",
            "time_zone": "Time zone",
            "linkedin_url": "LinkedIn URL",
            "crm_id": "CRM id",
            "status": "Status",
        },
        aliases={
            "email": ("Email", "Email Address", "E-mail", "Work Email", "Business Email"),
            "account_domain": (
                "Company Domain Name",
                "Company Domain",
                "Account Domain",
                "Domain",
                "Website URL",
                "Website",
                "Account Website",
                "Company Website",
            ),
            "first_name": ("First Name", "FirstName", "Given Name"),
            "last_name": ("Last Name", "LastName", "Surname", "Family Name"),
            "title": ("Job Title", "Title", "JobTitle", "Position"),
            "phone": ("Phone", "Phone Number", "Work Phone", "Direct Phone", "Mobile Phone", "Mobile"),
            "time_zone": ("Time Zone", "Timezone", "IP Timezone"),
            "linkedin_url": ("LinkedIn URL", "LinkedIn", "LinkedIn Profile", "LinkedIn Profile URL"),
            "crm_id": ("Record ID", "Contact ID", "Id", "CRM ID"),
            "status": ("Contact Status",),
        },
    ),
    ImportJob.Kind.SIGNALS: _fields(
        ingest.SIGNALS,
        labels={
            "source": "Source",
            "external_id": "External id",
            "account_domain": "Account domain",
            "contact_email": "Contact email",
            "kind": "Kind",
            "occurred_at": "Occurred at (ISO date)",
            "title": "Title",
            "text": "Text",
            "url": "URL",
            "payload": "Payload (JSON object)",
        },
        aliases={
            "external_id": ("External ID", "Event ID", "Record ID", "Id"),
            "account_domain": ("Company Domain Name", "Domain", "Website URL", "Website"),
            "contact_email": ("Contact Email", "Email"),
            "kind": ("Signal Kind", "Signal Type", "Type"),
            "occurred_at": ("Occurred At", "Date", "Timestamp", "Event Date"),
            "title": ("Headline", "Summary"),
            "text": ("Description", "Details", "Body"),
            "url": ("Link", "Source URL"),
            "payload": ("Data", "JSON"),
        },
    ),
}


def _header_key(text: str) -> str:
    """'Company Domain Name', 'company_domain_name' and 'COMPANY-DOMAIN-NAME' compare equal."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def suggest_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Our field -> the CSV column that most likely holds it ("" when none does)."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(_header_key(header), header)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for import_field in IMPORT_FIELDS[kind]:
        mapping[import_field.name] = ""
        for alias in import_field.aliases:
            header = by_key.get(_header_key(alias))
            if header is not None and header not in used:
                mapping[import_field.name] = header
                used.add(header)
                break
    return mapping


def missing_required_fields(kind: str, mapping: dict[str, str]) -> list[ImportField]:
    return [field for field in IMPORT_FIELDS[kind] if field.required and not mapping.get(field.name)]


def missing_columns_message(kind: str, missing: list[ImportField]) -> str:
    labels = ", ".join(field.label for field in missing)
    return (
        f"Choose the column holding {labels}: {ImportJob.Kind(kind).label.lower()} cannot be imported without it. "
        "If the file has no such column, add one and upload it again."
    )


# ---------------------------------------------------------------------------------------------
# Reading files


def check_size(size: int) -> None:
    limit = settings.SALESOPS_IMPORT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            f"This file is {filesizeformat(size)}; imports take files of up to {filesizeformat(limit)}. "
            "Split it into smaller files and import them one after the other."
        )


def detect_encoding(chunks: Iterable[bytes]) -> str:
    """UTF-8 (with or without a byte order mark) when every byte decodes as UTF-8, else Windows-1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return CP1252
    return UTF8


def _decode_head(head: bytes, encoding: str) -> str:
    # Incremental, so a character cut in two at the end of the sample is left out, not an error.
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the header and the next records into the same, largest number of cells."""
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample ends inside a record
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            records = [record for _, record in zip(range(20), csv.reader(lines, delimiter=delimiter), strict=False)]
        except csv.Error:
            continue
        records = [record for record in records if any(cell.strip() for cell in record)]
        if not records:
            continue
        width = len(records[0])
        consistent = sum(1 for record in records if len(record) == width)
        score = (width if width > 1 else 0, consistent)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def clean_headers(values: list[str]) -> list[str]:
    """Header names made unique and non-blank, so each column can be named in a mapping."""
    headers: list[str] = []
    seen: set[str] = set()
    for position, value in enumerate(values, start=1):
        name = value.strip() or f"Column {position}"
        candidate, copy = name, 2
        while candidate in seen:
            candidate, copy = f"{name} ({copy})", copy + 1
        seen.add(candidate)
        headers.append(candidate)
    return headers


def _is_blank_record(values: list[str]) -> bool:
    return not any(cell.strip() for cell in values)


@dataclass(frozen=True)
class FileShape:
    encoding: str
    delimiter: str
    headers: list[str]


def inspect_upload(upload: UploadedFile) -> FileShape:
    """Encoding, delimiter and header row of an upload, or ValidationError saying what is wrong."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    if not head.strip():
        raise ValidationError("The file is empty.")
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        raise ValidationError(
            "This is not a CSV file (an Excel workbook?). Save it as CSV (UTF-8, comma-separated) and upload that."
        )
    encoding = detect_encoding(upload.chunks())
    sample = _decode_head(head, encoding)
    delimiter = sniff_delimiter(sample)
    try:
        records = (record for record in csv.reader(io.StringIO(sample), delimiter=delimiter))
        first = next(records, [])
        has_data = any(not _is_blank_record(record) for record in records)
    except csv.Error as error:
        raise ValidationError(f"The file could not be read as CSV: {error}.")
    if _is_blank_record(first):
        raise ValidationError("The file has no header row: the first row must name the columns.")
    if not has_data:
        raise ValidationError("The file has a header row but no rows to import.")
    upload.seek(0)
    return FileShape(encoding=encoding, delimiter=delimiter, headers=clean_headers(first))


@contextmanager
def open_records(job: ImportJob) -> Iterator[Iterator[tuple[int, list[str]]]]:
    """The stored file's data records as (spreadsheet row number, cells), streamed; blank rows skipped.

    Row numbers count records, not lines, as a spreadsheet shows them: the header is row 1, and a
    quoted cell spanning several lines stays in one row.
    """
    binary = job.file.storage.open(job.file.name, "rb")
    try:
        # Windows-1252 leaves five byte values undefined: show them as U+FFFD rather than fail.
        errors = "replace" if job.encoding == CP1252 else "strict"
        stream = io.TextIOWrapper(binary, encoding=job.encoding or UTF8, errors=errors, newline="")
        yield _data_records(csv.reader(stream, delimiter=job.delimiter or ","))
    finally:
        binary.close()


def _data_records(reader) -> Iterator[tuple[int, list[str]]]:
    for row_number, values in enumerate(reader, start=1):
        if row_number == 1 or _is_blank_record(values):
            continue
        yield row_number, values


def _unescape_cell(value: str) -> str:
    """A leading apostrophe before a formula character is our own export's (or Excel's) escape."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def column_positions(job: ImportJob, mapping: dict[str, str]) -> dict[str, int]:
    return {field: job.headers.index(column) for field, column in mapping.items() if column in job.headers}


def mapped_row(values: list[str], positions: dict[str, int]) -> dict[str, str]:
    """The row for `campaigns.ingest`: empty cells are left out, so they keep what is stored."""
    row = {}
    for field, position in positions.items():
        if position < len(values) and values[position].strip():
            row[field] = _unescape_cell(values[position])
    return row


@dataclass(frozen=True)
class PreviewCell:
    value: str
    error: str = ""


@dataclass(frozen=True)
class PreviewRow:
    row_number: int
    cells: list[PreviewCell]


def import_preview(*, job: ImportJob, mapping: dict[str, str], limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    """The first rows as they would be imported, with what validation says of each mapped cell.

    References to other rows (accounts, contacts, owners) are checked when importing, not here.
    """
    kind = ingest.ROW_KINDS[job.kind]
    tz = ingest.workspace_time_zone(job.workspace)
    positions = column_positions(job, mapping)
    rows = []
    with open_records(job) as records:
        for row_number, values in records:
            if len(rows) >= limit:
                break
            row = mapped_row(values, positions)
            cleaned, errors = ingest.clean_row(kind, row, tz=tz)
            cells = []
            for import_field in IMPORT_FIELDS[job.kind]:
                name = import_field.name
                if name not in positions:
                    continue
                if name in errors:  # show what the file says, beside why it is refused
                    cells.append(PreviewCell(row.get(name, ""), " ".join(errors[name])))
                    continue
                value = cleaned.get(name, "")
                cells.append(PreviewCell(value.isoformat() if hasattr(value, "isoformat") else str(value)))
            rows.append(PreviewRow(row_number, cells))
    return rows


# ---------------------------------------------------------------------------------------------
# Import jobs: writes


def _require_manager(membership: Membership) -> None:
    if not membership.has_role(Role.MANAGER):
        raise PermissionDenied("Importing needs the manager role.")


@transaction.atomic
def import_job_create(*, membership: Membership, kind: str, upload: UploadedFile) -> ImportJob:
    """Check and store an uploaded file; nothing is stored when the file is refused."""
    _require_manager(membership)
    if kind not in ImportJob.Kind.values:
        raise ValidationError("Choose what the file holds: accounts, contacts or signals.")
    check_size(upload.size)
    shape = inspect_upload(upload)
    original_name = (upload.name or "upload.csv").rsplit("/", 1)[-1][:255]
    job = ImportJob(
        workspace=membership.workspace,
        kind=kind,
        original_name=original_name,
        size_bytes=upload.size,
        encoding=shape.encoding,
        delimiter=shape.delimiter,
        headers=shape.headers,
        mapping=suggest_mapping(kind, shape.headers),
        created_by=membership.user,
    )
    job.file.save(original_name, upload, save=False)
    job.save()
    member_audit(
        workspace=membership.workspace,
        user=membership.user,
        verb="import.uploaded",
        target=job,
        after={"kind": kind, "file": original_name, "bytes": upload.size, "encoding": shape.encoding},
    )
    return job


@transaction.atomic
def import_job_start(
    *, membership: Membership, job: ImportJob, mapping: dict[str, str], list_id: str = "", new_list_name: str = ""
) -> ImportJob:
    """Save the confirmed column mapping and queue the import once this transaction commits. A contacts
    import may add every contact it writes to a static list of the workspace: an existing one (`list_id`)
    or a new one named `new_list_name`, created only when the import starts."""
    _require_manager(membership)
    job = ImportJob.objects.select_for_update().get(pk=job.pk, workspace=membership.workspace)
    if job.status != ImportJob.Status.UPLOADED:
        raise ValidationError("This import has already been started.")
    if (list_id or new_list_name.strip()) and job.kind != ImportJob.Kind.CONTACTS:
        raise ValidationError("Only a contacts import adds to a list.")
    known = {field.name for field in IMPORT_FIELDS[job.kind]}
    mapping = {field: column for field, column in mapping.items() if field in known}
    unknown_columns = sorted(column for column in mapping.values() if column and column not in job.headers)
    if unknown_columns:
        raise ValidationError(f"The file has no column named {', '.join(unknown_columns)}.")
    missing = missing_required_fields(job.kind, mapping)
    if missing:
        raise ValidationError(missing_columns_message(job.kind, missing))
    contact_list = lists.list_for_import(actor=membership, existing_id=list_id, new_name=new_list_name)
    job.mapping = {field.name: mapping.get(field.name, "") for field in IMPORT_FIELDS[job.kind]}
    job.status = ImportJob.Status.QUEUED
    job.contact_list = contact_list
    job.save(update_fields=["mapping", "status", "contact_list"])
    member_audit(
        workspace=job.workspace,
        user=membership.user,
        verb="import.started",
        target=job,
        after={
            "mapping": {field: column for field, column in job.mapping.items() if column},
            "contact_list": contact_list.pk if contact_list else None,
        },
    )
    job_id = job.pk
    # robust: a broker hiccup must not turn the already committed request into an error page.
    transaction.on_commit(
        lambda: async_task(tasks.import_job_run_task, job_id, task_name=f"import-{job_id}"),
        robust=True,
    )
    return job


def import_job_run(*, job_id: int) -> ImportJob:
    """Import a queued job's file in batches. Safe to run again: it resumes after the last batch.

    A failure marks the job failed with the reason before the error goes on to the task runner.
    """
    job = ImportJob.objects.select_related("workspace", "created_by").get(pk=job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job
    try:
        _import_job_process(job)
    except TimeoutException:
        _import_job_fail(job=job, reason="The import took longer than the task time limit (SALESOPS_TASK_TIMEOUT).")
        raise
    except (csv.Error, UnicodeDecodeError) as error:
        _import_job_fail(job=job, reason=f"The file could not be read as CSV: {error}")
        raise
    except Exception as error:
        _import_job_fail(job=job, reason=f"{type(error).__name__}: {error}")
        raise
    job.refresh_from_db()
    return job


def _import_job_process(job: ImportJob) -> None:
    updates = {"status": ImportJob.Status.RUNNING, "started_at": job.started_at or timezone.now()}
    if job.rows_processed == 0:
        with open_records(job) as records:
            updates["rows_total"] = sum(1 for _ in records)
    ImportJob.objects.filter(pk=job.pk).update(**updates)
    upsert = ingest.UPSERTS[job.kind]
    positions = column_positions(job, job.mapping)
    actor = f"{actor_label(job.created_by)} via import #{job.pk}"
    already_done = job.rows_processed
    batch: list[tuple[int, list[str]]] = []
    with open_records(job) as records:
        for position, record in enumerate(records):
            if position < already_done:
                continue  # imported by an earlier run of this task
            batch.append(record)
            if len(batch) >= BATCH_SIZE:
                _import_batch(job, batch, positions, upsert, actor)
                batch = []
        if batch:
            _import_batch(job, batch, positions, upsert, actor)
    job.refresh_from_db()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, finished_at=timezone.now())
    audit_record(
        workspace=job.workspace,
        verb="import.finished",
        actor="system:worker",
        target=job,
        after={
            "rows": job.rows_processed,
            "created": job.rows_created,
            "updated": job.rows_updated,
            "unchanged": job.rows_unchanged,
            "failed": job.rows_failed,
        },
    )


def _import_batch(job: ImportJob, batch, positions: dict[str, int], upsert, actor: str) -> None:
    """One batch, its row errors and the progress counters, all or nothing."""
    rows = [mapped_row(values, positions) for _, values in batch]
    with transaction.atomic():
        results = upsert(workspace=job.workspace, rows=rows, actor=actor)
        counts = dict.fromkeys((ingest.CREATED, ingest.UPDATED, ingest.UNCHANGED, ingest.ERROR), 0)
        row_errors = []
        for (row_number, values), result in zip(batch, results, strict=True):
            counts[result.status] += 1
            if result.status == ingest.ERROR:
                row_errors.append(
                    ImportRowError(
                        workspace_id=job.workspace_id,
                        job_id=job.pk,
                        row_number=row_number,
                        message=_row_error_message(result.errors, job.mapping),
                        raw=_raw_values(job.headers, values),
                    )
                )
        ImportRowError.objects.bulk_create(row_errors)
        if job.contact_list_id is not None:
            # Every contact the file names joins the list, whether the row changed it or not.
            lists.import_contacts_add(
                job=job, contact_ids=[result.id for result in results if result.status != ingest.ERROR]
            )
        ImportJob.objects.filter(pk=job.pk).update(
            rows_processed=F("rows_processed") + len(batch),
            rows_created=F("rows_created") + counts[ingest.CREATED],
            rows_updated=F("rows_updated") + counts[ingest.UPDATED],
            rows_unchanged=F("rows_unchanged") + counts[ingest.UNCHANGED],
            rows_failed=F("rows_failed") + counts[ingest.ERROR],
        )
    # With DEBUG on, Django keeps every query's SQL: drop it so memory stays flat in file size.
    reset_queries()


def _row_error_message(errors: dict[str, list[str]], mapping: dict[str, str]) -> str:
    """'Email: Enter a valid email address.' — named by the file's column, as the person knows it."""
    return "; ".join(
        f"{mapping.get(field) or field}: {message}" for field, messages in errors.items() for message in messages
    )


def _raw_values(headers: list[str], values: list[str]) -> dict[str, str]:
    raw = dict(zip(headers, values, strict=False))
    for position in range(len(headers), len(values)):
        raw[f"Column {position + 1}"] = values[position]
    return raw


def _import_job_fail(*, job: ImportJob, reason: str) -> None:
    logger.exception("Import %s failed", job.pk)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, failure_reason=reason[:2000], finished_at=timezone.now()
    )
    audit_record(
        workspace=job.workspace, verb="import.failed", actor="system:worker", target=job, after={"reason": reason}
    )


# ---------------------------------------------------------------------------------------------
# Import jobs: reads


def import_jobs_recent(*, workspace: Workspace, limit: int = 50) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(workspace=workspace)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def import_job_get(*, workspace: Workspace, job_id: int) -> ImportJob:
    return ImportJob.objects.select_related("workspace", "created_by").get(workspace=workspace, pk=job_id)


def import_row_errors(*, job: ImportJob) -> QuerySet[ImportRowError]:
    return ImportRowError.objects.filter(job=job, workspace_id=job.workspace_id).order_by("row_number", "id")


# ---------------------------------------------------------------------------------------------
# Writing CSV


def csv_safe(value) -> str:
    """A cell a spreadsheet will show as text: formulas get a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back, for streaming with csv.writer."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte order mark makes Excel read the file as UTF-8; our importer accepts it too.
    yield "\ufeff" + writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        yield writer.writerow([csv_safe(cell) for cell in row])


def import_errors_csv_lines(*, job: ImportJob) -> Iterator[str]:
    """The job's row errors as CSV: row, message, then the row's original values."""
    errors = import_row_errors(job=job).values_list("row_number", "message", "raw").iterator(chunk_size=2000)
    return _csv_lines(
        ["row", "message", *job.headers],
        (
            [row_number, message, *(raw.get(header, "") for header in job.headers)]
            for row_number, message, raw in errors
        ),
    )


CONTACT_EXPORT_FIELDS = [
    "email",
    "first_name",
    "last_name",
    "title",
    "phone",
    "seniority",
    "department",
    "time_zone",
    "linkedin_url",
    "crm_id",
    "status",
    "account__domain",
    "account__name",
    "created_at",
    "updated_at",
]


def contacts_export(*, membership: Membership) -> Iterator[str]:
    """All contacts of the workspace as CSV lines, in the columns a contacts import reads back."""
    _require_manager(membership)
    workspace = membership.workspace
    contacts = Contact.objects.filter(workspace=workspace)
    member_audit(
        workspace=workspace,
        user=membership.user,
        verb="contacts.exported",
        after={"contacts": contacts.count()},
    )
    rows = contacts.order_by("id").values_list(*CONTACT_EXPORT_FIELDS).iterator(chunk_size=2000)
    header = [name.replace("account__", "account_") for name in CONTACT_EXPORT_FIELDS]
    return _csv_lines(header, ([_export_value(value) for value in row] for row in rows))


def _export_value(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else str(value)
