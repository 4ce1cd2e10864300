from django.core.management.base import BaseCommand

from agents.conversations.imap import fetch_replies
from agents.delivery.models import Mailbox


class Command(BaseCommand):
    help = "Read new replies from every mailbox that has IMAP set up, and mark what was taken as seen."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="Only this mailbox (its from address).")

    def handle(self, *args, mailbox: str | None, **options):
        mailboxes = Mailbox.objects.exclude(imap_host="").select_related("workspace")
        if mailbox:
            mailboxes = mailboxes.filter(from_address=mailbox.lower())
        for item in mailboxes:
            report = fetch_replies(mailbox=item)
            line = f"{report.mailbox}: took {report.taken} new, {report.duplicates} already stored"
            self.stdout.write(self.style.ERROR(f"{line}; {report.error}") if report.error else line)
