import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from salesops.models import Membership, User, Workspace

pytestmark = pytest.mark.django_db


def test_demo_creates_the_workspace_and_three_people_once(settings):
    settings.DEBUG = True
    call_command("demo")
    call_command("demo")
    workspace = Workspace.objects.get(slug="demo")
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__email", "role"))
    assert roles == {"admin@demo.test": "admin", "manager@demo.test": "manager", "rep@demo.test": "rep"}
    assert User.objects.get(email="rep@demo.test").check_password("salesops-demo")


def test_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("demo")
    call_command("demo", force=True)
    assert Workspace.objects.filter(slug="demo").exists()
