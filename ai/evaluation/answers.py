"""Measures the offline provider's answers on a labelled set (ai/evaluation/data/answers.json by default): the share
of covered questions whose answer contains the expected fact, the share of uncovered questions answered anyway
(with unrelated text), abstention on covered questions, per language and per kind of question, and the time per
question after warm-up (each knowledge base indexed and one question asked before the clock runs)."""

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ai.providers import embeddings
from ai.providers.base import Passage, ReplyRequest
from ai.providers.local import COVERED, LocalProvider

DEFAULT_PATH = Path(__file__).parent / "data" / "answers.json"
CROSS_LANGUAGE_PATH = Path(__file__).parent / "data" / "answers_crosslang.json"  # tuning: questions in other languages
HELDOUT_PATH = Path(__file__).parent / "data" / "heldout" / "answers_heldout.json"  # never tuned on


@dataclass
class AnswerReport:
    figures: dict
    failures: list[str] = field(default_factory=list)  # one line per wrong answer or abstention, for tuning

    def lines(self) -> list[str]:
        f = self.figures
        lines = [
            f"answers: {f['questions']} questions ({f['covered']} covered, {f['uncovered']} uncovered), "
            f"embeddings {'on' if f['embeddings'] else 'off (lexical only)'}",
            f"covered answers containing the expected fact: {f['fact_share']:.1%}",
            f"covered questions abstained: {f['covered_abstained_share']:.1%}; "
            f"median answer {f['answer_chars_p50']:.0f} characters",
            f"uncovered questions answered with unrelated text: {f['uncovered_answered_share']:.1%}",
            f"time per question: p50 {f['p50_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms (CPU p50 {f['cpu_p50_ms']:.1f} ms, "
            f"p95 {f['cpu_p95_ms']:.1f} ms)",
        ]
        for group in ("per_language", "per_kind"):
            for key, row in sorted(f[group].items()):
                lines.append(
                    f"  {key}: fact {row['fact_share']:.0%} of {row['covered']}, uncovered answered "
                    f"{row['uncovered_answered_share']:.0%} of {row['uncovered']}"
                )
        return lines


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _normalised(text: str) -> str:
    return " ".join((text or "").lower().split())


def evaluate_answers(path=None, *, channel_type: str = "Chat") -> AnswerReport:
    """Drafts an answer for every question of the set with the offline provider and scores it."""
    data = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
    if any("base" in base for base in data["bases"]):  # questions on the documents of answers.json's bases
        shared = {base["id"]: base for base in json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["bases"]}
        data["bases"] = [
            {**shared[base["base"]], "questions": base["questions"]} if "base" in base else base
            for base in data["bases"]
        ]
    provider = LocalProvider()
    counts = defaultdict(lambda: {"covered": 0, "fact": 0, "abstained": 0, "uncovered": 0, "answered": 0})
    wall, cpu, failures, lengths, languages = [], [], [], [], set()
    for base in data["bases"]:
        knowledge = tuple(Passage(title=document["title"], text=document["text"]) for document in base["documents"])

        def draft(question: str, lang: str, knowledge=knowledge):
            request = ReplyRequest(message_text=question, lang=lang, knowledge=knowledge, channel_type=channel_type)
            return provider.draft_reply(model="local", request=request)

        # warm-up: the base's index is built once per process
        draft(base["questions"][0]["q"], base["questions"][0].get("lang", base["lang"]))
        for question in base["questions"]:
            lang = question.get("lang", base["lang"])  # the question's own language (the documents' by default)
            languages.add(lang)
            started_wall, started_cpu = time.perf_counter(), time.process_time()
            result = draft(question["q"], lang)
            wall.append((time.perf_counter() - started_wall) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            answered = result.coverage == COVERED
            if answered:
                lengths.append(len(result.value))
            expect = question["expect"]
            for key in (lang, question["kind"]):
                row = counts[key]
                if expect is None:
                    row["uncovered"] += 1
                    row["answered"] += answered
                else:
                    row["covered"] += 1
                    row["fact"] += answered and _normalised(expect) in _normalised(result.value)
                    row["abstained"] += not answered
            if expect is None and answered:
                failures.append(f"[{lang}<-{base['lang']}] answered uncovered {question['q']!r}: {result.value[:90]!r}")
            elif expect is not None and not (answered and _normalised(expect) in _normalised(result.value)):
                what = "abstained" if not answered else f"answered {result.value[:90]!r}"
                where = f"[{lang}<-{base['lang']}] {question['kind']}"
                failures.append(f"{where} {question['q']!r} expected {expect!r}: {what}")

    def summary(rows) -> dict:
        covered = sum(row["covered"] for row in rows)
        uncovered = sum(row["uncovered"] for row in rows)
        return {
            "covered": covered,
            "uncovered": uncovered,
            "fact_share": _share(sum(row["fact"] for row in rows), covered),
            "covered_abstained_share": _share(sum(row["abstained"] for row in rows), covered),
            "uncovered_answered_share": _share(sum(row["answered"] for row in rows), uncovered),
        }

    total = summary([row for key, row in counts.items() if key in languages])
    figures = {
        **total,
        "questions": total["covered"] + total["uncovered"],
        "embeddings": embeddings.available(),
        "p50_ms": statistics.median(wall) if wall else 0.0,
        "p95_ms": _percentile(wall, 0.95),
        "cpu_p50_ms": statistics.median(cpu) if cpu else 0.0,
        "cpu_p95_ms": _percentile(cpu, 0.95),
        "answer_chars_p50": statistics.median(lengths) if lengths else 0,
        "per_language": {key: summary([row]) for key, row in counts.items() if key in languages},
        "per_kind": {key: summary([row]) for key, row in counts.items() if key not in languages},
    }
    return AnswerReport(figures=figures, failures=failures)
