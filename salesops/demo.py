"""The Demo workspace: three people, one per role, then each app's demo data.

An app adds demo data with a module `<app>/demo.py` defining `load(workspace)`; apps load in
INSTALLED_APPS order, so strategy exists before the agents work on it. (Imported by name, so the
core does not depend on the apps above it.)"""

from dataclasses import dataclass
from importlib import import_module, util

from allauth.account.models import EmailAddress
from django.apps import apps

from salesops.audit import audit_record
from salesops.models import Membership, Role, User, Workspace

DEMO_PASSWORD = "salesops-demo"  # noqa: S105  (a documented demo credential, refused with DEBUG off)
DEMO_PEOPLE = [
    ("admin@demo.test", "Ada", "Admin", Role.ADMIN),
    ("manager@demo.test", "Mira", "Manager", Role.MANAGER),
    ("rep@demo.test", "Remy", "Rep", Role.REP),
]


@dataclass
class DemoResult:
    workspace: Workspace
    users: list[tuple[str, str]]


def demo_workspace_load() -> DemoResult:
    workspace, created = Workspace.objects.get_or_create(
        slug="demo", defaults={"name": "Demo", "default_time_zone": "Europe/Berlin"}
    )
    if created:
        audit_record(workspace=workspace, verb="workspace.created", actor="system:demo", target=workspace)
    users = []
    for email, first_name, last_name, role in DEMO_PEOPLE:
        user, user_created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name}
        )
        if user_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        membership, membership_created = Membership.objects.get_or_create(
            user=user, workspace=workspace, defaults={"role": role}
        )
        if membership_created:
            audit_record(
                workspace=workspace,
                verb="membership.created",
                actor="system:demo",
                target=membership,
                after={"user": email, "role": role},
            )
        users.append((email, membership.role))
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.demo"
        if app_config.name != "salesops" and util.find_spec(module_name) is not None:
            import_module(module_name).load(workspace)
    return DemoResult(workspace=workspace, users=users)
