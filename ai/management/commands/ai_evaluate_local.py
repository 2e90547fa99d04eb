"""Measures the offline AI provider on the labelled sets shipped in the repository and prints the figures.

Sections: language accuracy per language (short lines apart), topic accuracy cold and after k = 1, 3, 5
corrections per topic (a Dutch-described and an English-described tenant, messages in nl, en and fr), spam
precision and recall (overall, per language, per kind), CPU per message (p50 / p95 after warm-up), the first
message's cost in a fresh process, and the earlier five-language regression set."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ai.evaluation import evaluate
from ai.evaluation.answers import CROSS_LANGUAGE_PATH, HELDOUT_PATH, evaluate_answers
from ai.evaluation.local import DATA, evaluate_local

LEGACY_DATASET = Path(__file__).resolve().parents[3] / "tests" / "ai" / "data" / "labelled_messages.json"


class Command(BaseCommand):
    help = "Measure the offline AI provider (language, topics, spam, answers, speed) on the shipped labelled sets."

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, default=DATA, help="Folder with the evaluation sets.")
        parser.add_argument("--dataset", type=Path, default=LEGACY_DATASET, help="The five-language regression set.")
        parser.add_argument("--no-speed", action="store_true", help="Skip the CPU-per-message measurement.")
        parser.add_argument("--no-first-message", action="store_true", help="Skip the fresh-process measurement.")
        parser.add_argument("--no-answers", action="store_true", help="Skip the answers evaluation.")
        parser.add_argument("--json", type=Path, help="Also write every figure to this JSON file.")

    def handle(self, *args, data: Path, dataset: Path, **options):
        if not data.is_dir():
            raise CommandError(f"No evaluation sets in {data}.")
        figures = {}
        report = evaluate_local(data, speed=not options["no_speed"], first_message=not options["no_first_message"])
        figures["local"] = report.figures
        for line in report.lines():
            self.stdout.write(line)
        if not options["no_answers"]:
            for key, path, title in (
                ("answers", None, "answers (same language)"),
                ("answers_crosslang", CROSS_LANGUAGE_PATH, "answers across languages (tuning set)"),
                ("answers_heldout", HELDOUT_PATH, "answers, HELD-OUT set (never tuned on; many across languages)"),
            ):
                answers = evaluate_answers(path)
                self.stdout.write(f"== {title} ==")
                for line in answers.lines():
                    self.stdout.write(line)
                for line in answers.failures:
                    self.stdout.write(f"  failed: {line}")
                figures[key] = answers.figures
        if dataset.exists():
            self.stdout.write(f"== regression set {dataset.name} (five languages, multilingual descriptions) ==")
            for line in evaluate(dataset).lines():
                self.stdout.write(f"  {line}")
        if options["json"]:
            options["json"].write_text(json.dumps(figures, indent=1, default=str), encoding="utf-8")
