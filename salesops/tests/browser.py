"""What browser tests share: signing in through the real login form."""

from salesops.tests.factories import PASSWORD


def sign_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on the login page as a person would (keyboard Enter) and wait for the dashboard."""
    page.goto(base_url + "/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")
