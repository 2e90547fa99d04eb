"""Retrains the offline spam classifier from the shipped corpus and writes its weights (numpy arrays, no pickle)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ai.providers import spam


class Command(BaseCommand):
    help = "Train the offline spam classifier on ai/providers/data/spam_corpus.tsv and write spam_model.npz."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=spam.ARTIFACT, help="Where to write the weights.")

    def handle(self, *args, output: Path, **options):
        path = spam.artifact_write(output)
        rows = spam.corpus_rows()
        self.stdout.write(f"trained on {len(rows)} corpus rows; weights written to {path}")
