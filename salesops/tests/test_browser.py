"""The three demo people sign in with a real browser and land on a dashboard showing their role."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "email,role", [("admin@demo.test", "admin"), ("manager@demo.test", "manager"), ("rep@demo.test", "rep")]
)
def test_demo_people_sign_in_and_see_their_role(live_server, page, settings, email, role):
    call_command("demo", force=True)
    page.goto(live_server.url + "/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("salesops-demo")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")
    assert f"as {role}" in page.locator("main").inner_text()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Audit").count() == (1 if role == "admin" else 0)
    assert nav.get_by_role("link", name="Campaigns").count() == (0 if role == "rep" else 1)
