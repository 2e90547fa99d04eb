"""Prints the offline provider's language and topic accuracy on a labelled JSON set."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ai.evaluation import evaluate

DEFAULT_DATASET = Path(__file__).resolve().parents[3] / "tests" / "ai" / "data" / "labelled_messages.json"


class Command(BaseCommand):
    help = "Measure the offline AI provider (language and topic accuracy) on a labelled message set."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="JSON with topics and messages.")

    def handle(self, *args, dataset: Path, **options):
        if not dataset.exists():
            raise CommandError(f"No dataset at {dataset}.")
        for line in evaluate(dataset).lines():
            self.stdout.write(line)
