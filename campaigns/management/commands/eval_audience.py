"""Score the audience matcher (campaigns/icp_match.py) on the labelled development and held-out sets.

Prints, per set: accuracy (in_audience and excluded_by both as labelled), precision and recall of
in_audience, and the confusion of excluded_by (labelled -> predicted). The held-out figure is for reading
only: rules are written against the development set (see campaigns/evaluation/README.md)."""

from django.core.management.base import BaseCommand

from campaigns.evaluation import scoring


class Command(BaseCommand):
    help = "Score the audience matcher on the development and held-out evaluation sets."

    def add_arguments(self, parser):
        parser.add_argument(
            "--show-misses", action="store_true", help="List the development set's misses by id (never the held-out's)."
        )

    def handle(self, *args, show_misses: bool = False, **options):
        for file_name in (scoring.DEV_SET, scoring.HELDOUT_SET):
            result = scoring.score(file_name)
            self.stdout.write(
                f"{file_name}: {result.cases} cases, accuracy {result.accuracy:.1%}, "
                f"in_audience precision {result.precision:.1%}, recall {result.recall:.1%}"
            )
            self.stdout.write("  excluded_by confusion (labelled -> predicted: count):")
            for (labelled, predicted), count in sorted(result.confusion.items()):
                marker = "" if labelled == predicted else "   <- wrong"
                self.stdout.write(f"    {labelled:>17} -> {predicted:<17} {count:>3}{marker}")
            if show_misses and file_name == scoring.DEV_SET and result.misses:
                self.stdout.write("  misses: " + ", ".join(result.misses))
