"""Writing accounts, contacts and signals in bulk: the one path for CSV imports and the JSON API.

Each `*_upsert` takes a batch of plain dicts keyed by our field names (strings or typed values),
validates every field, and writes the good rows while reporting the bad ones per field. A batch
costs a constant number of queries whatever its size: one SELECT of the rows it references, one
SELECT of the existing rows by their key, one `bulk_create`, one `bulk_update` of the rows that
really changed and one audit event. Re-sending the same data answers "unchanged" and writes nothing.

Keys: accounts by normalised `domain`; contacts by lower-cased `email`; signals by (`source`,
`external_id`). A key that is absent from a row leaves the stored value as it is, so an API client
may send only what changed; a present key sets the value (an empty string clears an optional one).
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator, validate_domain_name
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from campaigns.models import Account, Contact, Signal
from salesops.audit import audit_record
from salesops.models import Membership, Workspace
from salesops.time_zones import is_valid_zone, zone_or_utc

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
ERROR = "error"

REQUIRED = "This field is required."
# A batch that loses a race against a concurrent writer of the same keys is retried this often.
WRITE_ATTEMPTS = 3


@dataclass
class RowResult:
    index: int  # position in the input batch (0-based)
    status: str  # "created" | "updated" | "unchanged" | "error"
    id: int | None
    errors: dict[str, list[str]] = field(default_factory=dict)  # field -> messages, only when status == "error"


# ---------------------------------------------------------------------------------------------
# Normalising and validating single values


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def normalize_domain(value: str) -> str:
    """'https://www.Acme.COM/path' -> 'acme.com': no scheme, user, port, path, 'www.' or trailing dot."""
    text = str(value or "").strip().lower()
    text = _SCHEME.sub("", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1]
    text = text.split(":", 1)[0].strip().rstrip(".")
    if text.startswith("www."):
        text = text[4:]
    return text


def normalize_email(value: str) -> str:
    return str(value or "").strip().lower()


_validate_email = EmailValidator(message="Enter a valid email address.")
_validate_url = URLValidator(schemes=["http", "https"], message="Enter a valid URL.")


def _as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _check_length(text: str, max_length: int) -> str:
    if len(text) > max_length:
        raise ValidationError(f"Ensure this value has at most {max_length} characters (it has {len(text)}).")
    return text


# A cleaner turns one raw value into the value stored, or raises ValidationError with a message.
# The workspace's time zone is handed to every cleaner for dates written without one.
Cleaner = Callable[[Any, ZoneInfo], Any]


def _text(max_length: int) -> Cleaner:
    def clean(value, tz):
        return _check_length(_as_text(value), max_length)

    return clean


def _clean_email(value, tz) -> str:
    email = normalize_email(_as_text(value))
    if not email:
        return ""  # only optional references reach here blank: required fields are checked before
    _check_length(email, 254)
    _validate_email(email)
    return email


def _clean_domain(value, tz) -> str:
    domain = normalize_domain(_as_text(value))
    _check_length(domain, 253)
    try:
        validate_domain_name(domain)
    except ValidationError:
        raise ValidationError(f"Enter a valid domain name such as example.com, not {_as_text(value)!r}.")
    return domain


def _url(max_length: int) -> Cleaner:
    def clean(value, tz):
        url = _as_text(value)
        if not url:
            return ""
        if not _SCHEME.match(url):
            url = "https://" + url  # "linkedin.com/in/someone" as CRMs export it
        _check_length(url, max_length)
        _validate_url(url)
        return url

    return clean


def _clean_employee_count(value, tz) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError("Enter a whole number of employees.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        # "1,200", "1.200" and "1 200" as spreadsheets group digits; "120.0" as some exports write integers.
        text = re.sub(r"(?<=\d)[,.\s_](?=\d{3}\b)", "", _as_text(value))
        text = re.sub(r"\.0+$", "", text)
        if not re.fullmatch(r"\d+", text):
            raise ValidationError(f"Enter a whole number of employees, not {_as_text(value)!r}.")
        number = int(text)
    if not 0 <= number <= 2_147_483_647:
        raise ValidationError("Enter a whole number of employees of 0 or more.")
    return number


def _clean_country(value, tz) -> str:
    country = _as_text(value).upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise ValidationError(f"Enter a 2-letter ISO country code such as US or DE, not {_as_text(value)!r}.")
    return country


def _choice(choices: type[models.TextChoices], what: str) -> Cleaner:
    by_name = {choice.value: choice.value for choice in choices}
    by_name.update({choice.label.lower(): choice.value for choice in choices})

    def clean(value, tz):
        text = _as_text(value).lower()
        chosen = by_name.get(text) or by_name.get(re.sub(r"[\s-]+", "_", text))
        if chosen is None:
            allowed = ", ".join(choice.value for choice in choices)
            raise ValidationError(f"Unknown {what} {_as_text(value)!r}; use one of: {allowed}.")
        return chosen

    return clean


def _clean_time_zone(value, tz) -> str:
    name = _as_text(value)
    if name and not is_valid_zone(name):
        raise ValidationError(f"Unknown time zone {name!r}; use an IANA name such as Europe/Berlin.")
    return name


def _clean_occurred_at(value, tz) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = _as_text(value)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                f"Enter an ISO date or date and time such as 2025-03-14 or 2025-03-14T09:30:00Z, not {text!r}."
            )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=tz)
    return moment


def _clean_payload(value, tz) -> dict:
    if isinstance(value, dict):
        payload = value
    elif value is None or _as_text(value) == "":
        payload = {}
    else:
        try:
            payload = json.loads(str(value))
        except ValueError:
            raise ValidationError('Enter a JSON object such as {"amount": 5000000}.')
    if not isinstance(payload, dict):
        raise ValidationError('Enter a JSON object such as {"amount": 5000000}.')
    try:
        json.dumps(payload)
    except (TypeError, ValueError):
        raise ValidationError("The payload must contain only JSON values.")
    return payload


def _field_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def _texts(model: type[models.Model], *names: str) -> dict[str, Cleaner]:
    return {name: _text(_field_length(model, name)) for name in names}


# ---------------------------------------------------------------------------------------------
# What each kind of row may hold


@dataclass(frozen=True)
class RowKind:
    name: str  # "accounts", also the audit verb's prefix
    model: type[models.Model]
    cleaners: dict[str, Cleaner]
    key_fields: tuple[str, ...]  # always required: they find the row
    create_fields: tuple[str, ...]  # required to create a row (an update may leave them out)

    @property
    def fields(self) -> list[str]:
        return list(self.cleaners)


ACCOUNTS = RowKind(
    name="accounts",
    model=Account,
    cleaners={
        "domain": _clean_domain,
        "name": _text(_field_length(Account, "name")),
        **_texts(Account, "industry"),
        "employee_count": _clean_employee_count,
        "country": _clean_country,
        **_texts(Account, "tier", "crm_id"),
        # A member of the workspace, by email address or full name.
        "owner": _text(254),
    },
    key_fields=("domain",),
    create_fields=("name",),
)

CONTACTS = RowKind(
    name="contacts",
    model=Contact,
    cleaners={
        "email": _clean_email,
        "account_domain": _clean_domain,
        **_texts(Contact, "first_name", "last_name", "title", "phone", "seniority", "department"),
        "time_zone": _clean_time_zone,
        "linkedin_url": _url(_field_length(Contact, "linkedin_url")),
        "crm_id": _text(_field_length(Contact, "crm_id")),
        "status": _choice(Contact.Status, "contact status"),
    },
    key_fields=("email",),
    create_fields=("account_domain",),
)

SIGNALS = RowKind(
    name="signals",
    model=Signal,
    cleaners={
        "source": _text(_field_length(Signal, "source")),
        "external_id": _text(_field_length(Signal, "external_id")),
        "account_domain": _clean_domain,
        "contact_email": _clean_email,
        "kind": _choice(Signal.Kind, "signal kind"),
        "occurred_at": _clean_occurred_at,
        "title": _text(_field_length(Signal, "title")),
        "text": _text(100_000),
        "url": _url(_field_length(Signal, "url")),
        "payload": _clean_payload,
    },
    key_fields=("source", "external_id"),
    create_fields=("account_domain", "kind", "occurred_at", "title"),
)

ROW_KINDS = {kind.name: kind for kind in (ACCOUNTS, CONTACTS, SIGNALS)}

# Once a person unsubscribed, bounced or asked not to be contacted, no import may undo it.
SUPPRESSED_STATUSES = frozenset({Contact.Status.UNSUBSCRIBED, Contact.Status.BOUNCED, Contact.Status.DO_NOT_CONTACT})


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def clean_row(kind: RowKind, row: dict, *, tz: ZoneInfo) -> tuple[dict, dict[str, list[str]]]:
    """Validate one row without the database: (cleaned values, field -> messages)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in row.items():
        cleaner = kind.cleaners.get(name)
        if cleaner is None:
            errors[name] = ["Unknown field."]
            continue
        if (name in kind.key_fields or name in kind.create_fields) and _is_blank(value):
            errors[name] = [REQUIRED]
            continue
        try:
            cleaned[name] = cleaner(value, tz)
        except ValidationError as error:
            errors[name] = list(error.messages)
    for name in kind.key_fields:
        if _is_blank(row.get(name)):
            errors[name] = [REQUIRED]
    return cleaned, errors


def workspace_time_zone(workspace: Workspace) -> ZoneInfo:
    return zone_or_utc(workspace.default_time_zone)


# ---------------------------------------------------------------------------------------------
# The batch write shared by the three kinds


@dataclass
class _Pending:
    """One valid row on its way to the database: the model attribute values it sets."""

    index: int
    key: tuple
    values: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)


def _existing_by_key(kind: RowKind, workspace: Workspace, keys: set[tuple]) -> dict[tuple, models.Model]:
    """One SELECT of the stored rows a batch refers to, by their keys."""
    if not keys:
        return {}
    rows = kind.model.objects.filter(workspace=workspace)
    if kind is ACCOUNTS:
        rows = rows.filter(domain__in=[key[0] for key in keys])
        return {(row.domain,): row for row in rows}
    if kind is CONTACTS:
        rows = rows.filter(email__in=[key[0] for key in keys])
        return {(row.email,): row for row in rows}
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    condition = models.Q()
    for source, external_ids in by_source.items():
        condition |= models.Q(source=source, external_id__in=external_ids)
    return {(row.source, row.external_id): row for row in rows.filter(condition)}


def _apply(kind: RowKind, target: models.Model, values: dict[str, Any]) -> set[str]:
    """Set the values that differ on `target`; the names of the fields changed."""
    changed = set()
    for name, value in values.items():
        if kind is CONTACTS and name == "status" and target.status in SUPPRESSED_STATUSES:
            continue
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed.add(name)
    return changed


def _write(kind: RowKind, workspace: Workspace, pending: list[_Pending], results: list[RowResult]) -> None:
    existing = _existing_by_key(kind, workspace, {item.key for item in pending})
    in_batch: dict[tuple, models.Model] = {}
    to_create: list[models.Model] = []
    to_update: dict[int, models.Model] = {}
    changed_fields: set[str] = set()
    targets: dict[int, models.Model] = {}
    for item in pending:
        target = in_batch.get(item.key) or existing.get(item.key)
        if target is None:
            missing = [name for name in kind.create_fields if _missing_for_create(kind, name, item.values)]
            if missing:
                results[item.index] = RowResult(item.index, ERROR, None, {name: [REQUIRED] for name in missing})
                continue
            target = kind.model(workspace=workspace, **item.values)
            to_create.append(target)
            in_batch[item.key] = target
            targets[item.index] = target
            results[item.index] = RowResult(item.index, CREATED, None, {})
            continue
        in_batch[item.key] = target
        targets[item.index] = target
        changed = _apply(kind, target, item.values)
        if not changed:
            results[item.index] = RowResult(item.index, UNCHANGED, None, {})
            continue
        results[item.index] = RowResult(item.index, UPDATED, None, {})
        if target.pk is not None:
            to_update[target.pk] = target
            changed_fields |= changed

    if to_create:
        kind.model.objects.bulk_create(to_create)
    if to_update:
        now = timezone.now()
        if hasattr(kind.model, "updated_at"):
            for target in to_update.values():
                target.updated_at = now
            changed_fields.add("updated_at")
        kind.model.objects.bulk_update(list(to_update.values()), sorted(changed_fields))
    for index, target in targets.items():
        results[index].id = target.pk


# Which model attribute a row field fills, for the fields that are references.
_REFERENCE_ATTRIBUTES = {"account_domain": "account_id", "contact_email": "contact_id", "owner": "owner_id"}


def _missing_for_create(kind: RowKind, name: str, values: dict[str, Any]) -> bool:
    attribute = _REFERENCE_ATTRIBUTES.get(name, name)
    return attribute not in values or _is_blank(values[attribute])


def _upsert(kind: RowKind, *, workspace: Workspace, rows: list[dict], actor: str, resolve) -> list[RowResult]:
    tz = workspace_time_zone(workspace)
    results: list[RowResult] = [RowResult(index, ERROR, None, {}) for index in range(len(rows))]
    cleaned_rows: list[tuple[int, dict, dict]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            results[index].errors = {"row": ["Expected an object of field names and values."]}
            continue
        cleaned, errors = clean_row(kind, row, tz=tz)
        cleaned_rows.append((index, cleaned, errors))

    pending: list[_Pending] = []
    for item in resolve(workspace, cleaned_rows):
        if item.errors:
            results[item.index].errors = item.errors
        else:
            pending.append(item)

    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                _write(kind, workspace, pending, results)
            break
        except IntegrityError:
            # Another writer created one of these keys since our SELECT: read again and retry.
            if attempt == WRITE_ATTEMPTS:
                raise

    counts = dict.fromkeys((CREATED, UPDATED, UNCHANGED, ERROR), 0)
    for result in results:
        counts[result.status] += 1
    audit_record(
        workspace=workspace,
        verb=f"{kind.name}.upserted",
        actor=actor,
        target_type=kind.model._meta.label_lower,
        after={"rows": len(rows), **counts},
    )
    return results


def _account_ids_by_domain(workspace: Workspace, cleaned_rows) -> dict[str, int]:
    domains = {cleaned["account_domain"] for _, cleaned, _ in cleaned_rows if "account_domain" in cleaned}
    if not domains:
        return {}
    return dict(Account.objects.filter(workspace=workspace, domain__in=domains).values_list("domain", "id"))


def _resolve_accounts(workspace: Workspace, cleaned_rows):
    owners: dict[str, int] = {}
    if any(cleaned.get("owner") for _, cleaned, _ in cleaned_rows):
        for membership in Membership.objects.filter(workspace=workspace).select_related("user"):
            user = membership.user
            owners[user.email.lower()] = user.pk
            if user.get_full_name():
                owners.setdefault(user.get_full_name().lower(), user.pk)
    for index, cleaned, errors in cleaned_rows:
        values = dict(cleaned)
        if "owner" in values:
            owner = values.pop("owner")
            if not owner:
                values["owner_id"] = None
            elif owner.lower() in owners:
                values["owner_id"] = owners[owner.lower()]
            else:
                errors.setdefault("owner", []).append(f"unknown owner {owner}: not a member of this workspace")
        yield _Pending(index, (cleaned.get("domain"),), values, errors)


def _resolve_contacts(workspace: Workspace, cleaned_rows):
    account_ids = _account_ids_by_domain(workspace, cleaned_rows)
    for index, cleaned, errors in cleaned_rows:
        values = dict(cleaned)
        if "account_domain" in values:
            domain = values.pop("account_domain")
            if domain in account_ids:
                values["account_id"] = account_ids[domain]
            else:
                errors.setdefault("account_domain", []).append(f"unknown account {domain}")
        yield _Pending(index, (cleaned.get("email"),), values, errors)


def _resolve_signals(workspace: Workspace, cleaned_rows):
    account_ids = _account_ids_by_domain(workspace, cleaned_rows)
    emails = {cleaned["contact_email"] for _, cleaned, _ in cleaned_rows if cleaned.get("contact_email")}
    contact_ids = (
        dict(Contact.objects.filter(workspace=workspace, email__in=emails).values_list("email", "id")) if emails else {}
    )
    for index, cleaned, errors in cleaned_rows:
        values = dict(cleaned)
        if "account_domain" in values:
            domain = values.pop("account_domain")
            if domain in account_ids:
                values["account_id"] = account_ids[domain]
            else:
                errors.setdefault("account_domain", []).append(f"unknown account {domain}")
        if "contact_email" in values:
            email = values.pop("contact_email")
            if not email:
                values["contact_id"] = None
            elif email in contact_ids:
                values["contact_id"] = contact_ids[email]
            else:
                errors.setdefault("contact_email", []).append(f"unknown contact {email}")
        yield _Pending(index, (cleaned.get("source"), cleaned.get("external_id")), values, errors)


# ---------------------------------------------------------------------------------------------
# The public entry points


@transaction.atomic
def accounts_upsert(*, workspace: Workspace, rows: list[dict], actor: str) -> list[RowResult]:
    """Create or update accounts by normalised domain. Fields: see `ACCOUNTS.cleaners`."""
    return _upsert(ACCOUNTS, workspace=workspace, rows=rows, actor=actor, resolve=_resolve_accounts)


@transaction.atomic
def contacts_upsert(*, workspace: Workspace, rows: list[dict], actor: str) -> list[RowResult]:
    """Create or update contacts by email; `account_domain` names an existing account of the workspace."""
    return _upsert(CONTACTS, workspace=workspace, rows=rows, actor=actor, resolve=_resolve_contacts)


@transaction.atomic
def signals_upsert(*, workspace: Workspace, rows: list[dict], actor: str) -> list[RowResult]:
    """Create or update signals by (source, external_id), on an existing account and optional contact."""
    return _upsert(SIGNALS, workspace=workspace, rows=rows, actor=actor, resolve=_resolve_signals)


UPSERTS = {"accounts": accounts_upsert, "contacts": contacts_upsert, "signals": signals_upsert}
