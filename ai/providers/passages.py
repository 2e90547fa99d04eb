"""Cuts knowledge documents (markdown, as documents/conversion.py writes DOCX, XLSX, PDF and HTML) into the passages
the offline provider answers from: question/answer pairs (one per line, "Q:/A:" blocks, bold or headed questions),
table rows (a question/answer sheet row is one pair), list items, headed sections and paragraphs.

A passage keeps what it is about (`context`: document title and headings, the list's lead-in, the question) apart from
what it says (`text`, quoted in a reply), so a reply never quotes headings or a row's column names as if prose."""

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_LIST_ITEM = re.compile(r"^\s{0,3}([-*+•]|\d{1,3}[.)])\s+(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# "Q: … A: …", "Vraag: … Antwoord: …", "Question : … Réponse : …" on one line or across two lines.
_Q_LABEL = r"(?:q|v|vraag|question|frage|pregunta)"
_A_LABEL = r"(?:a|r|antwoord|answer|réponse|reponse|antwort|respuesta)"
_QA_INLINE = re.compile(
    rf"^\s*\**{_Q_LABEL}\s*\d*\s*\**\s*[:.)-]\s*\**(.+?)\**\s+\**{_A_LABEL}\s*\**\s*[:.)-]\s*(.+)$", re.I
)
_Q_LINE = re.compile(rf"^\s*\**{_Q_LABEL}\s*\d*\s*\**\s*[:.)-]\s*\**(.+?)\**\s*$", re.I)
_A_LINE = re.compile(rf"^\s*\**{_A_LABEL}\s*\**\s*[:.)-]\s*(.+)$", re.I)
# "How long does delivery take? Two to three working days." — a question mark followed by the answer on one line.
_QUESTION_THEN_ANSWER = re.compile(r"^\s*(?:\*\*)?([^?]{3,200}\?)(?:\*\*)?\s+(?:[-\u2013\u2014:]\s*)?(\S.{2,})$")
_BOLD_QUESTION = re.compile(r"^\s*(?:\*\*|__)(.+?\?)(?:\*\*|__)\s*$")
_LABELLED_ITEM = re.compile(r"^\s*(?:\*\*)?([^:*]{2,60}?)(?:\*\*)?\s*(?::|\s[-\u2013\u2014]\s)\s*(\S.*)$")
_BR = re.compile(r"<br\s*/?>", re.I)
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ0-9\"'(])")

MAX_PASSAGE_CHARS = 700
QUESTION_HEADERS = ("question", "vraag", "frage", "pregunta", "q", "v", "faq", "onderwerp", "sujet", "topic")
ANSWER_HEADERS = ("answer", "antwoord", "réponse", "reponse", "antwort", "respuesta", "a", "r", "uitleg", "info")


@dataclass(frozen=True)
class KnowledgePassage:
    """One answerable piece of a document; `block` numbers the list or section it came from (passages of one block
    may be answered together), `question` is set for question/answer pairs."""

    title: str
    context: str
    text: str
    question: str = ""
    block: int = 0
    position: int = 0

    @property
    def index_text(self) -> str:
        """What the passage is searched by: where it sits, its question and its text."""
        return "\n".join(part for part in (self.context, self.question, self.text) if part)


def clean_inline(text: str) -> str:
    """Markdown emphasis, links and escapes off; cell line breaks as spaces."""
    text = _BR.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return re.sub(r"\\([|*_#\\\[\]()-])", r"\1", text).strip()


def join_wrapped(lines: list[str]) -> str:
    """The lines of one paragraph as one line: source hard wraps are not kept."""
    return re.sub(r"\s+", " ", " ".join(line.strip() for line in lines)).strip()


def _sentence_groups(text: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    if len(text) <= limit:
        return [text]
    groups, group = [], ""
    for sentence in _SENTENCE_END.split(text):
        if group and len(group) + len(sentence) + 1 > limit:
            groups.append(group)
            group = ""
        group = f"{group} {sentence}".strip()
    if group:
        groups.append(group)
    return groups


def _table_cells(line: str) -> list[str]:
    inner = line.strip().strip("|")
    return [clean_inline(cell) for cell in re.split(r"(?<!\\)\|", inner)]


class _Splitter:
    def __init__(self, title: str):
        self.title = title.strip()
        self.headings: list[str] = []
        self.passages: list[KnowledgePassage] = []
        self.block = 0
        self.pending_question = ""  # a bold question line: the paragraph after it answers it

    def context(self, *extra: str) -> str:
        return " — ".join(part for part in (self.title, *self.headings, *extra) if part)

    def add(self, text: str, *, question: str = "", lead: str = "", block: int | None = None):
        text = text.strip()
        if not text and not question:
            return
        for part in _sentence_groups(text) if text else [""]:
            self.passages.append(
                KnowledgePassage(
                    title=self.title,
                    context=self.context(lead),
                    text=part or question,
                    question=question,
                    block=self.block if block is None else block,
                    position=len(self.passages),
                )
            )

    def heading(self, level: int, text: str):
        self.headings = [*self.headings[: level - 1], clean_inline(text)]
        self.block += 1

    def table(self, rows: list[list[str]]):
        """A table with a header row: each row a passage; a question/answer sheet gives pairs."""
        self.block += 1
        while len(rows) > 1 and not any(rows[0]):
            rows = rows[1:]  # an empty header row (a table converted without header cells)
        header, body = rows[0], rows[1:]
        if not body:
            body, header = rows, []
        names = [cell.strip().lower().rstrip(":") for cell in header]
        question_column = next((i for i, name in enumerate(names) if name in QUESTION_HEADERS), None)
        answer_column = next((i for i, name in enumerate(names) if name in ANSWER_HEADERS), None)
        if question_column is None and body and all(len(row) >= 2 and row[0].endswith("?") for row in body):
            question_column, answer_column = 0, 1
        for row in body:
            cells = row + [""] * (len(header) - len(row))
            if question_column is not None and answer_column is not None and answer_column < len(cells):
                others = [c for i, c in enumerate(cells) if i not in (question_column, answer_column) and c]
                self.add(cells[answer_column], question=cells[question_column], lead=" ".join(others), block=self.block)
            elif len([cell for cell in cells if cell]) == 2 and len(cells) == 2:
                self.add(f"{cells[0]}: {cells[1]}", lead=" ".join(header), block=self.block)
            else:
                labelled = [
                    f"{name}: {cell}" if name else cell
                    for name, cell in zip(header or [""] * len(cells), cells, strict=False)
                    if cell
                ]
                self.add("; ".join(labelled), block=self.block)

    def items(self, lead: str, items: list[str]):
        """A list: items that carry their own subject (a label, a question, a long sentence) are passages of their
        own; a list of short values or steps stays whole with its lead-in, since its items answer together."""
        self.block += 1
        cleaned = [clean_inline(item) for item in items]
        independent = sum(1 for item in items if _QUESTION_THEN_ANSWER.match(item) or len(item) > 140) * 2 >= len(items)
        labelled = [_LABELLED_ITEM.match(item) for item in cleaned]
        if independent or (len(items) >= 2 and all(labelled)):
            for item, label in zip(cleaned, labelled, strict=True):
                pair = _QUESTION_THEN_ANSWER.match(item)
                if pair:
                    self.add(pair.group(2), question=pair.group(1), lead=clean_inline(lead), block=self.block)
                elif label:
                    self.add(item, lead=f"{clean_inline(lead)} {label.group(1)}".strip(), block=self.block)
                else:
                    self.add(item, lead=clean_inline(lead), block=self.block)
            return
        body = "\n".join(f"- {item}" for item in cleaned)
        self.add(f"{clean_inline(lead)}\n{body}" if lead else body, block=self.block)

    def paragraph(self, lines: list[str]):
        """Plain lines: question/answer pairs one per line (or Q:/A: on two lines), else one wrapped paragraph."""
        pairs = [_QA_INLINE.match(line) or _QUESTION_THEN_ANSWER.match(clean_inline(line)) for line in lines]
        if len(lines) >= 2 and sum(1 for pair in pairs if pair) * 2 >= len(lines):
            self.block += 1
            for line, pair in zip(lines, pairs, strict=True):
                if pair:
                    self.add(clean_inline(pair.group(2)), question=clean_inline(pair.group(1)))
                elif self.passages and self.passages[-1].block == self.block:
                    last = self.passages.pop()  # a continuation line of the previous answer
                    self.passages.append(
                        KnowledgePassage(
                            last.title, last.context, f"{last.text} {clean_inline(line)}", last.question, last.block,
                            last.position,
                        )
                    )  # fmt: skip
            return
        question_at = next((i for i, line in enumerate(lines) if _Q_LINE.match(line)), None)
        if question_at is not None and any(_A_LINE.match(line) for line in lines[question_at + 1 :]):
            self.block += 1
            question, answer = "", []
            for line in lines:
                if _Q_LINE.match(line) and not _A_LINE.match(line):
                    if question or answer:
                        self.add(join_wrapped(answer), question=question)
                    question, answer = clean_inline(_Q_LINE.match(line).group(1)), []
                elif _A_LINE.match(line):
                    answer.append(clean_inline(_A_LINE.match(line).group(1)))
                else:
                    answer.append(clean_inline(line))
            self.add(join_wrapped(answer), question=question)
            return
        self.block += 1
        self.add(clean_inline(join_wrapped(lines)))


def _blocks(text: str):
    """(kind, payload) per markdown block: heading, table, list (lead-in, items), lines (a paragraph)."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    paragraph: list[str] = []

    lead: list[str] = []  # a one-line paragraph ending in ":" waits: it introduces the list that may follow

    def flush():
        if lead:
            yield "lines", list(lead)
            lead.clear()
        if paragraph:
            if len(paragraph) == 1 and paragraph[0].rstrip().endswith(":"):
                lead.append(paragraph[0])
            else:
                yield "lines", list(paragraph)
            paragraph.clear()

    while index < len(lines):
        line = lines[index]
        heading = _HEADING.match(line)
        if not line.strip():
            yield from flush()
            index += 1
            continue
        if heading:
            yield from flush()
            yield "heading", (len(heading.group(1)), heading.group(2))
            index += 1
            continue
        if paragraph and len(paragraph) == 1 and _SETEXT.match(line) and not _LIST_ITEM.match(paragraph[0]):
            yield "heading", (1 if line.strip().startswith("=") else 2, paragraph.pop())
            index += 1
            continue
        if _TABLE_ROW.match(line):
            yield from flush()
            rows = []
            while index < len(lines) and _TABLE_ROW.match(lines[index]):
                if not _TABLE_RULE.match(lines[index]):
                    rows.append(_table_cells(lines[index]))
                index += 1
            yield "table", rows
            continue
        item = _LIST_ITEM.match(line)
        if item:
            if len(paragraph) == 1 and paragraph[0].rstrip().endswith(":"):
                list_lead = paragraph.pop()
            else:
                list_lead = lead.pop() if lead and not paragraph else ""
            yield from flush()
            items, numbered = [item.group(2)], item.group(1)[0].isdigit()
            index += 1
            while index < len(lines):
                following = lines[index]
                next_item = _LIST_ITEM.match(following)
                if next_item and next_item.group(1)[0].isdigit() == numbered:
                    items.append(next_item.group(2))
                elif next_item:
                    break
                elif following.strip() and following.startswith((" ", "\t")):
                    items[-1] = f"{items[-1]} {following.strip()}"  # a wrapped or nested line of the item
                elif (
                    not following.strip()
                    and index + 1 < len(lines)
                    and (loose := _LIST_ITEM.match(lines[index + 1]))
                    and loose.group(1)[0].isdigit() == numbered
                ):
                    pass  # a loose list: blank lines between items
                else:
                    break
                index += 1
            yield "list", (list_lead, items)
            continue
        bold_question = _BOLD_QUESTION.match(line)
        if bold_question and not paragraph:
            yield "heading", (7, bold_question.group(1))
            index += 1
            continue
        if lead:
            yield "lines", list(lead)
            lead.clear()
        paragraph.append(line)
        index += 1
    yield from flush()
    yield from flush()  # a trailing lead-in line


# Runs of blanks inside a line (PDF and Word conversions leave them) are one space: the Q/A patterns would otherwise
# try every way of splitting a long run between their groups (seconds for a few hundred blanks).
_INNER_BLANKS = re.compile(r"(?<=\S)[ \t\u00a0]{2,}")


def split_passages(title: str, text: str) -> list[KnowledgePassage]:
    """The passages of one markdown document, in document order."""
    splitter = _Splitter(title)
    for kind, payload in _blocks(_INNER_BLANKS.sub(" ", text or "")):
        if kind == "heading":
            level, heading = payload
            if level == 7:
                splitter.block += 1
                splitter.pending_question = clean_inline(heading)
            else:
                splitter.heading(level, heading)
        elif kind == "table":
            splitter.table(payload)
        elif kind == "list":
            splitter.items(*payload)
        else:
            if splitter.pending_question:
                splitter.add(clean_inline(join_wrapped(payload)), question=splitter.pending_question)
                splitter.pending_question = ""
            else:
                splitter.paragraph(payload)
    return _with_heading_questions(splitter.passages)


def _with_heading_questions(passages: list[KnowledgePassage]) -> list[KnowledgePassage]:
    """A section headed by a question ("## Can I return an item?") answers that question."""
    result = []
    for passage in passages:
        last_heading = passage.context.rsplit(" — ", 1)[-1]
        if not passage.question and last_heading.endswith("?"):
            passage = KnowledgePassage(
                passage.title, passage.context, passage.text, last_heading, passage.block, passage.position
            )
        result.append(passage)
    return result
