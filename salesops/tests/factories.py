"""Small factories for the core models: one function per model, keyword arguments for what matters."""

import itertools

from allauth.account.models import EmailAddress

from salesops.models import Membership, Role, User, Workspace

_sequence = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(*, email: str | None = None, password: str = PASSWORD, **fields) -> User:
    email = email or f"person{next(_sequence)}@example.test"
    user = User.objects.create_user(email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_workspace(*, name: str | None = None) -> Workspace:
    number = next(_sequence)
    name = name or f"Workspace {number}"
    return Workspace.objects.create(name=name, slug=f"workspace-{number}")


def make_membership(
    *, workspace: Workspace | None = None, role: str = Role.REP, user: User | None = None
) -> Membership:
    return Membership.objects.create(workspace=workspace or make_workspace(), user=user or make_user(), role=role)
