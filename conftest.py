"""Fixtures shared by every app's tests: the four personas and a real browser."""

import os
import shutil
from dataclasses import dataclass
from datetime import datetime

import pytest
import time_machine
from django.test import Client

from salesops.models import Membership, Role, Workspace
from salesops.tests.factories import make_membership, make_user, make_workspace

IN_CI = os.environ.get("CI") == "true"
# `SALESOPS_TEST_NOW=2027-03-13T23:59Z make test` runs the suite as if it were that moment (the clock
# ticks on from there): the way to find code and tests that only work on some days or hours.
TEST_NOW = os.environ.get("SALESOPS_TEST_NOW", "")
# Playwright's sync API keeps an event loop on the main thread; the ORM calls made by tests
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    if TEST_NOW:
        traveller = time_machine.travel(datetime.fromisoformat(TEST_NOW), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if TEST_NOW:
        skip = pytest.mark.skip(reason="starts a process that sees the real clock, not SALESOPS_TEST_NOW")
        for item in items:
            if "real_clock" in item.keywords:
                item.add_marker(skip)
    if connection.vendor != "postgresql":
        for item in items:
            marker = item.get_closest_marker("postgresql")
            if marker is not None:
                reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "needs PostgreSQL")
                item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))


@dataclass
class Personas:
    """An admin, a manager and a rep of one workspace, and an admin of another workspace."""

    workspace: Workspace
    admin: Membership
    manager: Membership
    rep: Membership
    outsider: Membership

    def client_for(self, membership: Membership | None) -> Client:
        client = Client()
        if membership is not None:
            client.force_login(membership.user)
        return client


@pytest.fixture
def personas(db) -> Personas:
    workspace = make_workspace(name="Acme Sales")
    other_workspace = make_workspace(name="Rival Sales")
    return Personas(
        workspace=workspace,
        admin=make_membership(workspace=workspace, role=Role.ADMIN, user=make_user(email="admin@acme.test")),
        manager=make_membership(workspace=workspace, role=Role.MANAGER, user=make_user(email="manager@acme.test")),
        rep=make_membership(workspace=workspace, role=Role.REP, user=make_user(email="rep@acme.test")),
        outsider=make_membership(workspace=other_workspace, role=Role.ADMIN, user=make_user(email="boss@rival.test")),
    )


def _chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        if IN_CI:
            pytest.fail("Chromium is required for the browser tests in CI (make test installs Debian's chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and one-time codes live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
