"""Evaluations of the offline provider, run by `manage.py ai_evaluate_local`:

- `ai.evaluation.local`: language, topics (cold and after k corrections), spam, CPU per message and the first
  message's cost, on the nl/en/fr sets in ai/evaluation/data;
- `ai.evaluation.answers`: answers containing the expected fact, uncovered questions answered;
- `evaluate` below: the earlier five-language regression set (language accuracy, topic accuracy without and with
  learned examples, two-fold: each half is classified with the other half as corrected examples)."""

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ai.providers.base import TopicCandidate
from ai.providers.local import LocalProvider, match_topics


@dataclass(frozen=True)
class QualityReport:
    messages: int
    language_accuracy: float
    topic_accuracy: float  # topic names and descriptions only
    topic_accuracy_learned: float  # plus corrected examples from the other fold
    per_language: dict

    def lines(self) -> list[str]:
        lines = [
            f"messages: {self.messages}",
            f"language accuracy: {self.language_accuracy:.1%}",
            f"topic accuracy (names + descriptions): {self.topic_accuracy:.1%}",
            f"topic accuracy (+ learned examples, 2-fold): {self.topic_accuracy_learned:.1%}",
        ]
        for lang, figures in sorted(self.per_language.items()):
            lines.append(
                f"  {lang}: language {figures['language']:.0%}, topics {figures['topics']:.0%}, "
                f"topics learned {figures['learned']:.0%} (n={figures['n']})"
            )
        return lines


def evaluate(dataset_path: Path) -> QualityReport:
    data = json.loads(Path(dataset_path).read_text(encoding="utf-8"))
    keys = list(data["topics"])
    ids = {key: index + 1 for index, key in enumerate(keys)}
    messages = data["messages"]
    provider = LocalProvider()

    def candidates(examples: dict[str, list[str]]) -> list[TopicCandidate]:
        return [
            TopicCandidate(
                topic_id=ids[key],
                name=data["topics"][key]["name"],
                description=data["topics"][key]["description"],
                examples=tuple(examples.get(key, ())),
            )
            for key in keys
        ]

    folds = [[m for i, m in enumerate(messages) if i % 2 == fold] for fold in (0, 1)]
    learned_from = {}
    for fold in (0, 1):
        examples = defaultdict(list)
        for message in folds[1 - fold]:
            examples[message["topic"]].append(f"{message['subject']}\n{message['text']}")
        learned_from[fold] = candidates(examples)
    plain = candidates({})

    stats = defaultdict(lambda: {"n": 0, "language": 0, "topics": 0, "learned": 0})
    for index, message in enumerate(messages):
        text = f"{message['subject']}\n{message['text']}"
        row = stats[message["lang"]]
        row["n"] += 1
        row["language"] += provider.detect_language(model="local", text=text).value == message["lang"]
        row["topics"] += match_topics(text, plain)[:1] == [ids[message["topic"]]]
        row["learned"] += match_topics(text, learned_from[index % 2])[:1] == [ids[message["topic"]]]
    total = len(messages)
    return QualityReport(
        messages=total,
        language_accuracy=sum(row["language"] for row in stats.values()) / total,
        topic_accuracy=sum(row["topics"] for row in stats.values()) / total,
        topic_accuracy_learned=sum(row["learned"] for row in stats.values()) / total,
        per_language={
            lang: {
                "n": row["n"],
                "language": row["language"] / row["n"],
                "topics": row["topics"] / row["n"],
                "learned": row["learned"] / row["n"],
            }
            for lang, row in stats.items()
        },
    )
