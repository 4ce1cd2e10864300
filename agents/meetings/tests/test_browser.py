"""A prospect opens the booking link in a real browser, picks a time and sees the confirmation."""

from urllib.parse import urlsplit

import pytest
from django.core import mail

from agents.meetings import links
from agents.meetings.models import Meeting
from agents.meetings.tests.factories import make_availability, make_prospect
from campaigns.tests.factories import make_campaign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_prospect_books_a_time_from_the_link_and_sees_the_confirmation(live_server, page, personas):
    personas.rep.user.first_name, personas.rep.user.last_name = "Rita", "Rep"
    personas.rep.user.save()
    make_availability(membership=personas.rep, time_zone="Europe/Berlin")
    campaign = make_campaign(workspace=personas.workspace)
    contact = make_prospect(
        workspace=personas.workspace, time_zone="America/New_York", first_name="Mia", email="mia@buyer.example"
    )
    path = urlsplit(links.booking_link(rep=personas.rep, contact=contact, campaign=campaign)).path

    page.goto(live_server.url + path)
    assert page.get_by_role("heading", name="Book a meeting with Rita Rep").is_visible()
    assert "Times are shown in America/New_York" in page.locator("main").inner_text()
    second_day = page.locator("section.slot-day").nth(1)
    choice = second_day.get_by_role("button").first
    label = choice.get_attribute("aria-label")
    choice.click()

    page.wait_for_url("**/book/meeting/**")
    main = page.locator("main").inner_text()
    assert "You're booked" in main
    meeting = Meeting.objects.get(contact=contact)
    assert (meeting.status, meeting.campaign, meeting.time_zone) == ("booked", campaign, "America/New_York")
    day, _, times = label.partition(", ")
    assert f"{day.split(' ', 1)[1]}" in main and times.split("–")[0] in main
    assert sorted(message.to[0] for message in mail.outbox) == ["mia@buyer.example", "rep@acme.test"]

    page.get_by_role("link", name="Pick another time").click()
    page.wait_for_url("**/reschedule/")
    page.locator("section.slot-day").nth(2).get_by_role("button").first.click()
    page.wait_for_url("**?done=rescheduled")
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert "Your meeting has moved" in page.locator("main").inner_text()
