"""The JSON API under /api/v1/: accounts, contacts and signals of one workspace, for CRMs and scripts.

Every request carries a workspace API key as `Authorization: Bearer <key>`; the key decides the
workspace, and every query is made within it (another workspace's id answers 404). A browser
session is not enough: cookies never authenticate here, which is also why CSRF does not apply.
Writes go through the same bulk services as CSV import (`campaigns.ingest`), audited as
`api:<key name>`.
"""

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from pydantic import AwareDatetime

from campaigns import api_keys, ingest
from campaigns.models import Account, ApiKey, Contact, Signal
from salesops.models import Workspace

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
MAX_BATCH_ITEMS = 1000


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer so_<prefix>_<secret>`, a key created under Settings -> API keys."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return api_keys.api_key_authenticate(key=token)


class SalesopsApi(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__  # account_list, not campaigns_api_account_list: nicer clients


api = SalesopsApi(
    title="salesops API",
    version="1",
    description=(
        "Accounts, contacts and signals of one workspace. Authenticate every request with a workspace "
        "API key (Settings → API keys) as `Authorization: Bearer <key>`."
    ),
    urls_namespace="api",
    auth=ApiKeyAuth(),
    docs_url=None,  # the interactive page loads its scripts from a CDN, which the project forbids
)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError):
    response = api.create_response(
        request, {"detail": "Send a valid, unrevoked API key as 'Authorization: Bearer <key>'."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="salesops"'
    return response


@api.exception_handler(RequestDataTooBig)
def _body_too_big(request: HttpRequest, exc: RequestDataTooBig):
    # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE; say so in JSON rather than an HTML 400.
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
    message = f"The request body is over {megabytes:.1f} MB: send fewer items per batch."
    return api.create_response(request, {"detail": message}, status=413)


def _workspace(request: HttpRequest) -> Workspace:
    return request.auth.workspace


# ---------------------------------------------------------------------------------------------
# Output shapes


class AccountOut(Schema):
    id: int
    name: str
    domain: str
    industry: str
    employee_count: int | None
    country: str
    tier: str
    crm_id: str
    created_at: datetime
    updated_at: datetime


class ContactOut(Schema):
    id: int
    account_id: int
    email: str
    first_name: str
    last_name: str
    title: str
    phone: str
    seniority: str
    department: str
    time_zone: str
    linkedin_url: str
    crm_id: str
    status: str
    created_at: datetime
    updated_at: datetime


class SignalOut(Schema):
    id: int
    account_id: int
    contact_id: int | None
    kind: str
    occurred_at: datetime
    source: str
    external_id: str
    title: str
    text: str
    url: str
    payload: dict
    created_at: datetime


class AccountPage(Schema):
    items: list[AccountOut]
    next_cursor: int | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: int | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class SignalPage(Schema):
    items: list[SignalOut]
    next_cursor: int | None = Field(description="Pass as `cursor` to get the next page; null on the last page.")


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int] = Field(description="Where: e.g. ['body', 'payload', 'items', 3, 'domain']")
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


# ---------------------------------------------------------------------------------------------
# Filters and pagination: keyset on id (stable while rows are added, no COUNT over the table).


class PageParams(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"At most {MAX_PAGE_SIZE}.")
    cursor: int | None = Field(None, ge=0, description="The `next_cursor` of the previous page.")


class AccountFilters(PageParams):
    domain: str | None = Field(None, description="Exact domain, e.g. acme.com")
    q: str | None = Field(None, description="Part of the name, any case")
    tier: str | None = None
    updated_since: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone")


class ContactFilters(PageParams):
    email: str | None = None
    account_id: int | None = None
    status: Contact.Status | None = None


class SignalFilters(PageParams):
    account_id: int | None = None
    kind: Signal.Kind | None = None
    since: AwareDatetime | None = Field(None, description="Signals that occurred at or after this time")


def _page(queryset: QuerySet, params: PageParams) -> dict:
    if params.cursor is not None:
        queryset = queryset.filter(pk__gt=params.cursor)
    rows = list(queryset.order_by("pk")[: params.limit + 1])  # one more tells whether a next page exists
    has_next = len(rows) > params.limit
    rows = rows[: params.limit]
    return {"items": rows, "next_cursor": rows[-1].pk if has_next else None}


def _accounts(*, workspace: Workspace, filters: AccountFilters) -> QuerySet[Account]:
    accounts = Account.objects.filter(workspace=workspace)
    if filters.domain:
        accounts = accounts.filter(domain=filters.domain.strip().lower())
    if filters.q:
        accounts = accounts.filter(name__icontains=filters.q.strip())
    if filters.tier:
        accounts = accounts.filter(tier=filters.tier)
    if filters.updated_since:
        accounts = accounts.filter(updated_at__gte=filters.updated_since)
    return accounts


def _contacts(*, workspace: Workspace, filters: ContactFilters) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(workspace=workspace)
    if filters.email:
        contacts = contacts.filter(email=filters.email.strip().lower())
    if filters.account_id is not None:
        contacts = contacts.filter(account_id=filters.account_id)
    if filters.status:
        contacts = contacts.filter(status=filters.status)
    return contacts


def _signals(*, workspace: Workspace, filters: SignalFilters) -> QuerySet[Signal]:
    signals = Signal.objects.filter(workspace=workspace)
    if filters.account_id is not None:
        signals = signals.filter(account_id=filters.account_id)
    if filters.kind:
        signals = signals.filter(kind=filters.kind)
    if filters.since:
        signals = signals.filter(occurred_at__gte=filters.since)
    return signals


# ---------------------------------------------------------------------------------------------
# Reads


@api.get("/accounts", response={200: AccountPage, 401: ErrorOut, 422: ValidationErrorOut}, tags=["accounts"])
def account_list(request: HttpRequest, filters: Query[AccountFilters]):
    return _page(_accounts(workspace=_workspace(request), filters=filters), filters)


@api.get("/accounts/{int:account_id}", response={200: AccountOut, 401: ErrorOut, 404: ErrorOut}, tags=["accounts"])
def account_get(request: HttpRequest, account_id: int):
    return get_object_or_404(Account, workspace=_workspace(request), pk=account_id)


@api.get("/contacts", response={200: ContactPage, 401: ErrorOut, 422: ValidationErrorOut}, tags=["contacts"])
def contact_list(request: HttpRequest, filters: Query[ContactFilters]):
    return _page(_contacts(workspace=_workspace(request), filters=filters), filters)


@api.get("/contacts/{int:contact_id}", response={200: ContactOut, 401: ErrorOut, 404: ErrorOut}, tags=["contacts"])
def contact_get(request: HttpRequest, contact_id: int):
    return get_object_or_404(Contact, workspace=_workspace(request), pk=contact_id)


@api.get("/signals", response={200: SignalPage, 401: ErrorOut, 422: ValidationErrorOut}, tags=["signals"])
def signal_list(request: HttpRequest, filters: Query[SignalFilters]):
    return _page(_signals(workspace=_workspace(request), filters=filters), filters)


@api.get("/signals/{int:signal_id}", response={200: SignalOut, 401: ErrorOut, 404: ErrorOut}, tags=["signals"])
def signal_get(request: HttpRequest, signal_id: int):
    return get_object_or_404(Signal, workspace=_workspace(request), pk=signal_id)


# ---------------------------------------------------------------------------------------------
# Batch upserts. The body's shape is checked here (422 naming the field: `items` missing, not a
# list, over the limit, an item that is not an object); each item's values are checked by
# `campaigns.ingest`, the same rules as CSV import, so one bad item is reported in its result
# while the good ones are written. The item schemas below document the fields for the OpenAPI
# document; the values accepted are what ingest accepts (e.g. "1,200" employees, a date without
# a time zone in the workspace's time zone).


class AccountItem(Schema):
    """An account, found by its domain: created if new, else updated with the fields sent."""

    domain: str = Field(description="The key: 'https://www.Acme.com/' is stored as acme.com")
    name: str | None = Field(None, description="Required to create an account")
    industry: str | None = None
    employee_count: int | None = None
    country: str | None = Field(None, description="ISO 3166 alpha-2, e.g. DE")
    tier: str | None = None
    crm_id: str | None = None
    owner: str | None = Field(None, description="A member of the workspace, by email or full name")


class ContactItem(Schema):
    """A contact, found by email: created if new, else updated with the fields sent."""

    email: str = Field(description="The key, stored lower-cased")
    account_domain: str | None = Field(None, description="An existing account's domain; required to create")
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    phone: str | None = None
    seniority: str | None = None
    department: str | None = None
    time_zone: str | None = Field(None, description="IANA name, e.g. Europe/Berlin")
    linkedin_url: str | None = None
    crm_id: str | None = None
    status: Literal[tuple(Contact.Status.values)] | None = Field(
        None, description="Unsubscribed, bounced and do-not-contact stay so"
    )


class SignalItem(Schema):
    """A signal, found by (source, external_id): created if new, else updated with the fields sent."""

    source: str = Field(description="Where it comes from, e.g. crunchbase")
    external_id: str = Field(description="Its id at the source")
    account_domain: str | None = Field(None, description="An existing account's domain; required to create")
    contact_email: str | None = Field(None, description="An existing contact's email, optional")
    kind: Literal[tuple(Signal.Kind.values)] | None = Field(None, description="Required to create")
    occurred_at: datetime | None = Field(None, description="ISO 8601; required to create")
    title: str | None = Field(None, description="Required to create")
    text: str | None = None
    url: str | None = None
    payload: dict | None = Field(None, description="Any JSON object")


def _items_field(item: type[Schema], what: str):
    return Field(
        max_length=MAX_BATCH_ITEMS,
        description=f"Up to {MAX_BATCH_ITEMS} {what}; each answered by its own result, in order.",
        json_schema_extra={"items": item.model_json_schema()},
    )


class AccountBatch(Schema):
    items: list[dict[str, Any]] = _items_field(AccountItem, "accounts")


class ContactBatch(Schema):
    items: list[dict[str, Any]] = _items_field(ContactItem, "contacts")


class SignalBatch(Schema):
    items: list[dict[str, Any]] = _items_field(SignalItem, "signals")


class ItemResult(Schema):
    index: int = Field(description="The item's position in `items`, from 0")
    status: Literal["created", "updated", "unchanged", "error"]
    id: int | None = Field(description="The row's id; null when the item was refused")
    errors: dict[str, list[str]] = Field(description="Field -> messages, when status is error")


class BatchResult(Schema):
    results: list[ItemResult]


BATCH_RESPONSES = {200: BatchResult, 401: ErrorOut, 422: ValidationErrorOut}


def _upsert(request: HttpRequest, upsert, items: list[dict[str, Any]]) -> dict:
    if not items:
        return {"results": []}
    key: ApiKey = request.auth
    results = upsert(workspace=key.workspace, rows=items, actor=f"api:{key.name}")
    return {"results": [asdict(result) for result in results]}


@api.post("/accounts/batch", response=BATCH_RESPONSES, tags=["accounts"])
def account_batch_upsert(request: HttpRequest, batch: AccountBatch):
    return _upsert(request, ingest.accounts_upsert, batch.items)


@api.post("/contacts/batch", response=BATCH_RESPONSES, tags=["contacts"])
def contact_batch_upsert(request: HttpRequest, batch: ContactBatch):
    return _upsert(request, ingest.contacts_upsert, batch.items)


@api.post("/signals/batch", response=BATCH_RESPONSES, tags=["signals"])
def signal_batch_upsert(request: HttpRequest, batch: SignalBatch):
    return _upsert(request, ingest.signals_upsert, batch.items)
