"""Connections that send one message at a time and know what the server accepted.

Exactly-once needs more than "it raised": a refusal before the end of the message means nothing was
accepted (safe to try again later), while a connection lost after the whole message was handed over
means the server may have accepted it (the outcome is unknown and a person decides). The SMTP backend
below is Django's, with its send step split into MAIL, RCPT, DATA, the message and the final reply so
each failure is classified by where it happened.
"""

import contextlib
import email.policy
import re
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.utils.module_loading import import_string

from agents.delivery.crypto import decrypt
from agents.delivery.models import Mailbox
from agents.delivery.sandbox import sandbox_keep

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class DeliveryError(Exception):
    """A send that did not (certainly) succeed.

    accepted: False when the server accepted nothing, None when it may have (unknown).
    permanent: a 5xx answer; recipient_refused: the server refused the recipient (a hard bounce);
    mailbox_problem: the mailbox's connection or login is at fault, not this message."""

    def __init__(
        self,
        message: str,
        *,
        accepted: bool | None,
        permanent: bool = False,
        recipient_refused: bool = False,
        mailbox_problem: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.accepted = accepted
        self.permanent = permanent
        self.recipient_refused = recipient_refused
        self.mailbox_problem = mailbox_problem


def _text(response) -> str:
    return response.decode(errors="replace") if isinstance(response, bytes) else str(response)


def _refused(code: int, response, stage: str, *, recipient: bool = False) -> DeliveryError:
    return DeliveryError(
        f"The server refused at {stage}: {code} {_text(response)}"[:500],
        accepted=False,
        permanent=500 <= code < 600,
        recipient_refused=recipient and 500 <= code < 600,
        mailbox_problem=stage == "MAIL FROM" and 500 <= code < 600,
    )


_LINE_ENDS = re.compile(rb"\r\n|\n|\r")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _data_block(raw: bytes) -> bytes:
    """The message as the DATA phase transmits it: CRLF lines, leading dots doubled, ending in CRLF.CRLF."""
    data = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", raw))
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class TrackingSMTPBackend(DjangoSMTPBackend):
    """Django's SMTP backend that raises `DeliveryError` saying whether anything was accepted."""

    last_response = ""

    def open(self):
        try:
            return super().open()
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(
                f"The server refused the mailbox's login: {error.smtp_code} {_text(error.smtp_error)}",
                accepted=False,
                permanent=True,
                mailbox_problem=True,
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise DeliveryError(
                f"Could not connect to {self.host}:{self.port}: {error}"[:500], accepted=False, mailbox_problem=True
            ) from error

    def _drop(self) -> None:
        for connection in (self.connection, self._partial_connection):
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.close()
        self.connection = self._partial_connection = None

    def _reset(self) -> None:
        try:
            self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _send(self, email_message):
        connection = self.connection
        sender = self.prep_address(email_message.from_email)
        recipients = [self.prep_address(address) for address in email_message.recipients()]
        block = _data_block(email_message.message(policy=email.policy.SMTP).as_bytes())
        try:
            connection.ehlo_or_helo_if_needed()
            code, response = connection.mail(sender)
            if code != 250:
                self._reset()
                raise _refused(code, response, "MAIL FROM")
            for recipient in recipients:
                code, response = connection.rcpt(recipient)
                if code not in (250, 251):
                    self._reset()
                    raise _refused(code, response, "RCPT TO", recipient=True)
            code, response = connection.docmd("DATA")
            if code != 354:
                self._reset()
                raise _refused(code, response, "DATA")
            # Until the final dot has left, the server cannot have accepted the message.
            connection.send(block)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as error:
            self._drop()
            raise DeliveryError(
                f"The connection failed before the message was complete: {error}"[:500], accepted=False
            ) from error
        try:
            code, response = connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._drop()
            raise DeliveryError(
                f"The connection was lost after the whole message was sent, before the server answered: {error}"[:500],
                accepted=None,
            ) from error
        if code != 250:
            raise _refused(code, response, "the end of the message")
        self.last_response = f"{code} {_text(response)}"[:500]
        return True


class SandboxEmailBackend(BaseEmailBackend):
    """Keeps each email in the workspace's sandbox instead of sending it (development)."""

    def __init__(self, *, workspace_id: int, **kwargs):
        super().__init__(**kwargs)
        self.workspace_id = workspace_id

    def send_messages(self, email_messages):
        for message in email_messages:
            sandbox_keep(message, workspace_ids=[self.workspace_id])
        return len(email_messages)


@dataclass
class Transport:
    """One mailbox's way out: open once, send several, close."""

    backend: BaseEmailBackend
    name: str

    def __enter__(self) -> "Transport":
        if isinstance(self.backend, TrackingSMTPBackend):
            self.backend.open()
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.backend.close()

    def send(self, message: EmailMessage) -> str:
        """The server's answer; raises `DeliveryError`."""
        if isinstance(self.backend, TrackingSMTPBackend):
            if self.backend.connection is None:
                self.backend.open()
            self.backend.send_messages([message])
            return self.backend.last_response
        try:
            self.backend.send_messages([message])
        except Exception as error:  # another backend cannot tell what was accepted: a person decides
            raise DeliveryError(f"{type(error).__name__}: {error}"[:500], accepted=None) from error
        return f"accepted by {self.name}"


def _smtp_backend(*, alias: str, **options) -> TrackingSMTPBackend:
    return TrackingSMTPBackend(alias=alias, **options)


# django-anymail's backend for each provider, and the name of the option its API key goes in.
ESP_BACKENDS = {
    "postmark": ("anymail.backends.postmark.EmailBackend", "server_token"),
    "sendgrid": ("anymail.backends.sendgrid.EmailBackend", "api_key"),
    "mailgun": ("anymail.backends.mailgun.EmailBackend", "api_key"),
    "brevo": ("anymail.backends.brevo.EmailBackend", "api_key"),
    "resend": ("anymail.backends.resend.EmailBackend", "api_key"),
}


class EspTransport(Transport):
    """An email service provider's HTTP API: an answer with a status code means nothing was accepted
    (safe to retry); a lost connection may have delivered (unknown)."""

    def send(self, message: EmailMessage) -> str:
        try:
            self.backend.send_messages([message])
        except Exception as error:
            status = getattr(error, "status_code", None)
            raise DeliveryError(
                f"{type(error).__name__}: {error}"[:500],
                accepted=False if status is not None else None,
                permanent=status is not None and 400 <= status < 500,
            ) from error
        status = getattr(message, "anymail_status", None)
        return f"accepted by {self.name}" + (f" ({status.message_id})" if status and status.message_id else "")


def transport_for(mailbox: Mailbox) -> Transport:
    """The mailbox's own SMTP server or provider API, else Django's default mailer (EMAIL_*), else the sandbox."""
    timeout = settings.SALESOPS_DELIVERY_SMTP_TIMEOUT_SECONDS
    if mailbox.transport == Mailbox.Transport.ESP:
        path, key_option = ESP_BACKENDS[mailbox.esp]
        backend = import_string(path)(**{key_option: decrypt(mailbox.esp_api_key_encrypted)})
        return EspTransport(backend=backend, name=mailbox.get_esp_display())
    if mailbox.transport == Mailbox.Transport.SMTP:
        security = mailbox.smtp_security
        backend = _smtp_backend(
            alias=f"mailbox-{mailbox.pk}",
            host=mailbox.smtp_host,
            port=mailbox.smtp_port,
            username=mailbox.smtp_username,
            password=decrypt(mailbox.smtp_password_encrypted),
            use_tls=security == Mailbox.Security.STARTTLS,
            use_ssl=security == Mailbox.Security.SSL,
            timeout=timeout,
        )
        return Transport(backend=backend, name=f"{mailbox.smtp_host}:{mailbox.smtp_port}")
    if settings.SALESOPS_MAIL_SANDBOX:
        return Transport(backend=SandboxEmailBackend(workspace_id=mailbox.workspace_id), name="the sandbox")
    config = settings.MAILERS.get("default", {})
    if config.get("BACKEND", SMTP_BACKEND) == SMTP_BACKEND:
        options = {"timeout": timeout, **config.get("OPTIONS", {})}
        return Transport(backend=_smtp_backend(alias="default", **options), name=str(options.get("host")))
    return Transport(backend=mailers.default, name=config.get("BACKEND", "the default mailer"))
