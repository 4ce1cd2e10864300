"""`manage.py fetch_replies` reads unseen replies over IMAP, stores them once and marks them seen."""

from pathlib import Path

import pytest
from django.core.management import call_command

from agents.conversations.models import InboundMessage
from agents.conversations.tests.fake_imap import FakeImap
from agents.delivery.crypto import encrypt
from agents.delivery.models import Mailbox

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def imap():
    server = FakeImap(
        [(CORPUS / "01-interested-gmail.eml").read_bytes(), (CORPUS / "20-unsubscribe-en.eml").read_bytes()]
    )
    yield server
    server.close()


def _mailbox(personas, imap, password="imap-secret"):
    return Mailbox.objects.create(
        workspace=personas.workspace,
        from_name="Sam",
        from_address="replies@demo.example",
        imap_host="127.0.0.1",
        imap_port=imap.port,
        imap_use_ssl=False,
        imap_username="replies@demo.example",
        imap_password_encrypted=encrypt(password),
    )


def test_it_takes_unseen_replies_once_and_marks_them_seen(personas, imap, capsys):
    _mailbox(personas, imap)
    call_command("fetch_replies")
    assert "took 2 new" in capsys.readouterr().out
    assert InboundMessage.objects.filter(workspace=personas.workspace, channel="imap").count() == 2
    assert imap.seen == {1, 2}
    call_command("fetch_replies")
    assert "took 0 new" in capsys.readouterr().out
    assert InboundMessage.objects.count() == 2


def test_a_wrong_password_is_reported_and_takes_nothing(personas, imap, capsys):
    _mailbox(personas, imap, password="wrong")
    call_command("fetch_replies")
    assert "login failed" in capsys.readouterr().out
    assert not InboundMessage.objects.exists() and imap.seen == set()
