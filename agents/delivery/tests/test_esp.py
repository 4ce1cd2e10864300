"""A mailbox may send through an email service provider's API (django-anymail) instead of SMTP."""

import pytest
from django.core import mail
from django.urls import reverse

from agents.delivery import transport as transport_module
from agents.delivery.crypto import encrypt
from agents.delivery.models import Mailbox
from agents.delivery.transport import DeliveryError, EspTransport, transport_for

pytestmark = pytest.mark.django_db


def _esp_mailbox(personas) -> Mailbox:
    return Mailbox.objects.create(
        workspace=personas.workspace,
        from_name="Sam",
        from_address="sam@demo.example",
        transport=Mailbox.Transport.ESP,
        esp=Mailbox.Provider.POSTMARK,
        esp_api_key_encrypted=encrypt("pm-server-token"),
    )


def test_an_admin_sets_up_a_provider_mailbox_and_the_key_is_encrypted(personas):
    client = personas.client_for(personas.admin)
    data = {
        "from_name": "Sam",
        "from_address": "sam@demo.example",
        "daily_cap": "30",
        "status": "active",
        "transport": "esp",
        "esp": "postmark",
        "smtp_port": "587",
        "smtp_security": "starttls",
    }
    refused = client.post(reverse("agents:mailbox_create"), data)
    assert refused.status_code == 400 and "API key" in refused.text
    client.post(reverse("agents:mailbox_create"), {**data, "esp_api_key": "pm-server-token"})
    mailbox = Mailbox.objects.get(from_address="sam@demo.example")
    assert mailbox.esp_api_key_encrypted and "pm-server-token" not in mailbox.esp_api_key_encrypted
    page = client.get(reverse("agents:mailbox_edit", args=[mailbox.pk]))
    assert "pm-server-token" not in page.text


def test_the_provider_backend_gets_the_decrypted_key_and_sends(personas, monkeypatch):
    mailbox = _esp_mailbox(personas)
    real = transport_for(mailbox)
    assert type(real.backend).__module__ == "anymail.backends.postmark"
    assert real.backend.server_token == "pm-server-token"
    # Sending for real would call Postmark: anymail's own test backend stands in for the HTTP call.
    monkeypatch.setitem(
        transport_module.ESP_BACKENDS, "postmark", ("anymail.backends.test.EmailBackend", "server_token")
    )
    transport = transport_for(mailbox)
    assert isinstance(transport, EspTransport)
    message = mail.EmailMessage("Hello", "Body", "sam@demo.example", ["jane@acme.example"])
    assert transport.send(message).startswith("accepted by Postmark")
    assert mail.outbox[-1].subject == "Hello"


class _Refused(Exception):
    status_code = 422


def test_an_api_refusal_is_retryable_and_a_lost_connection_is_unknown(personas, monkeypatch):
    transport = transport_for(_esp_mailbox(personas))

    def refuse(messages):
        raise _Refused("Invalid 'To' address")

    monkeypatch.setattr(transport.backend, "send_messages", refuse)
    with pytest.raises(DeliveryError) as refused:
        transport.send(mail.EmailMessage("Hi", "Body", "sam@demo.example", ["x@y.example"]))
    assert refused.value.accepted is False

    def drop(messages):
        raise ConnectionError("connection reset")

    monkeypatch.setattr(transport.backend, "send_messages", drop)
    with pytest.raises(DeliveryError) as lost:
        transport.send(mail.EmailMessage("Hi", "Body", "sam@demo.example", ["x@y.example"]))
    assert lost.value.accepted is None
