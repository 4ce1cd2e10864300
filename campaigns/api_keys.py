"""Workspace API keys: create (shown once), revoke, and authenticate a bearer key.

A key reads `so_<prefix>_<secret>`. The prefix is stored in clear to find the row; only the
SHA-256 hash of the whole key is stored, compared in constant time. Keys are long random strings,
not passwords, so a fast hash is enough: there is nothing to guess from it.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from campaigns.models import ApiKey
from salesops.audit import member_audit
from salesops.models import Membership, Role, Workspace

KEY_SCHEME = "so"
# `last_used_at` is a hint for admins ("is this key still in use?"), not a log: writing it on
# every request would turn each read into a write, so it moves at most once a minute per key.
LAST_USED_PRECISION = timedelta(minutes=1)
# Compared against when the prefix matches no key, so an unknown prefix costs the same work.
_NO_KEY_HASH = "0" * 64


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: `key` is the only time the full secret exists outside the client."""

    api_key: ApiKey
    key: str


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _split(key: str) -> tuple[str, str] | None:
    scheme, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not prefix or not secret:
        return None
    return prefix, secret


def api_keys_of_workspace(*, workspace: Workspace) -> QuerySet[ApiKey]:
    """Active keys first, newest first; one query with who created each."""
    return (
        ApiKey.objects.filter(workspace=workspace)
        .select_related("created_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def api_key_get(*, workspace: Workspace, api_key_id: int) -> ApiKey:
    """Raises ApiKey.DoesNotExist for another workspace's key, so views answer 404."""
    return ApiKey.objects.get(workspace=workspace, pk=api_key_id)


@transaction.atomic
def api_key_create(*, actor: Membership, name: str) -> NewApiKey:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins manage API keys.")
    name = name.strip()
    if not name:
        raise ValidationError("Give the key a name, e.g. the system that will use it.")
    if ApiKey.objects.filter(workspace=actor.workspace, name=name).exists():
        raise ValidationError(f"A key named “{name}” already exists in this workspace. Choose another name.")
    prefix = secrets.token_hex(6)  # hex: never contains the "_" separator
    key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey.objects.create(
        workspace=actor.workspace, name=name, prefix=prefix, key_hash=_hash(key), created_by=actor.user
    )
    member_audit(
        workspace=actor.workspace,
        user=actor.user,
        verb="api_key.created",
        target=api_key,
        after={"name": name, "prefix": prefix},
    )
    return NewApiKey(api_key=api_key, key=key)


@transaction.atomic
def api_key_revoke(*, actor: Membership, api_key: ApiKey) -> ApiKey:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only admins manage API keys.")
    if api_key.workspace_id != actor.workspace_id:
        raise PermissionDenied("Not a key of this workspace.")
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        return api_key  # already revoked: nothing changes, nothing to audit
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    member_audit(
        workspace=api_key.workspace,
        user=actor.user,
        verb="api_key.revoked",
        target=api_key,
        before={"name": api_key.name, "prefix": api_key.prefix, "revoked_at": None},
        after={"revoked_at": api_key.revoked_at},
    )
    return api_key


def api_key_authenticate(*, key: str) -> ApiKey | None:
    """The active key `key` stands for (with its workspace), or None for a wrong or revoked key."""
    parts = _split(key.strip())
    if parts is None:
        return None
    prefix, _secret = parts
    api_key = ApiKey.objects.select_related("workspace").filter(prefix=prefix).first()
    matches = hmac.compare_digest(_hash(key.strip()), api_key.key_hash if api_key else _NO_KEY_HASH)
    if api_key is None or not matches or api_key.revoked_at is not None:
        return None
    _touch(api_key)
    return api_key


def _touch(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_PRECISION:
        return
    # Conditional in the database too, so concurrent requests of many workers write it once.
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    api_key.last_used_at = now
