"""The id of the request (or task) being served, for audit events written deep inside services."""

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("salesops_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str | None = None) -> contextvars.Token:
    return _request_id.set(value or uuid.uuid4().hex)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)
