"""The offline provider: deterministic, no network. Language detection (ai.providers.language: lingua with the
tenant's languages as prior), spam (ai.providers.spam: a classifier trained on the shipped corpus plus mail
signals and the tenant's marks), topic matching across languages (ai.providers.topics: sentence embeddings plus
TF-IDF over topic names, descriptions and learned examples), custom-field extraction by pattern, extractive replies
and summaries from the tenant's own documents."""

import re
import time
from collections import Counter
from datetime import date

from babel import Locale
from babel.languages import get_official_languages
from dateutil import parser as date_parser
from lingua import IsoCode639_1, Language

from ai.conf import ai_float, ai_list
from ai.providers import language, spam, topics
from ai.providers.base import (
    AIResult,
    FieldSpec,
    Passage,
    Provider,
    ReplyRequest,
    RoomReportRequest,
    SpamContext,
    SpamVerdict,
    TopicCandidate,
)
from ai.providers.room_report import room_report_html
from ai.providers.streaming import reply_delta
from ai.providers.text import TfIdfIndex, fold, sentences, tokens

LOCAL = "local"
_WORD_PIECE = re.compile(r"\s*\S+")


def language_detector(codes: tuple[str, ...] | None = None):
    """The lingua detector for `codes` (default settings.AI_LOCAL_LANGUAGES), built once per process."""
    return language.language_detector(codes)


def _languages() -> list[str]:
    return ai_list("AI_LOCAL_LANGUAGES")


def iso_639_3(code: str) -> str:
    """ "nl" → "nld"; three-letter codes pass through; unknown codes come back unchanged."""
    code = (code or "").strip().lower()
    if len(code) == 2 and hasattr(IsoCode639_1, code.upper()):
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())).iso_code_639_3.name.lower()
    return code


def iso_639_1(code: str) -> str:
    """ "nld"/"NL"/"nl-BE" → "nl"; what messages and signatures store."""
    code = (code or "").strip().lower().replace("_", "-").split("-")[0]
    if len(code) == 3:
        for language in Language.all():
            if language.iso_code_639_3.name.lower() == code:
                return language.iso_code_639_1.name.lower()
    return code


# Per-language phrases of the extractive reply.
PHRASES = {
    "en": {
        "greet": "Dear {name},",
        "greet_anon": "Hello,",
        "thanks": "Thank you for your message.",
        "found": "Here is the information that answers your question:",
        "holding": "We have received your message and will get back to you as soon as possible.",
        "close": "Kind regards,",
    },
    "nl": {
        "greet": "Beste {name},",
        "greet_anon": "Beste,",
        "thanks": "Bedankt voor uw bericht.",
        "found": "Hier vindt u de informatie over uw vraag:",
        "holding": "We hebben uw bericht goed ontvangen en komen zo snel mogelijk bij u terug.",
        "close": "Met vriendelijke groeten,",
    },
    "fr": {
        "greet": "Bonjour {name},",
        "greet_anon": "Bonjour,",
        "thanks": "Merci pour votre message.",
        "found": "Voici les informations concernant votre question :",
        "holding": "Nous avons bien reçu votre message et revenons vers vous dès que possible.",
        "close": "Cordialement,",
    },
    "de": {
        "greet": "Hallo {name},",
        "greet_anon": "Guten Tag,",
        "thanks": "Vielen Dank für Ihre Nachricht.",
        "found": "Hier finden Sie die Informationen zu Ihrer Frage:",
        "holding": "Wir haben Ihre Nachricht erhalten und melden uns so schnell wie möglich.",
        "close": "Mit freundlichen Grüßen",
    },
    "es": {
        "greet": "Estimado/a {name}:",
        "greet_anon": "Hola:",
        "thanks": "Gracias por su mensaje.",
        "found": "Esta es la información sobre su consulta:",
        "holding": "Hemos recibido su mensaje y le responderemos lo antes posible.",
        "close": "Saludos cordiales,",
    },
}

_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_DATE = re.compile(r"\b(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4})\b")


class LocalProvider(Provider):
    name = LOCAL

    def _result(self, value, model: str, started: float, prompt: str = "") -> AIResult:
        return AIResult(
            value=value, provider=LOCAL, model=model or LOCAL, seconds=time.perf_counter() - started, prompt=prompt
        )

    def spam_check(
        self, *, model: str, sender: str, subject: str, text: str, headers: str = "", context: SpamContext | None = None
    ) -> AIResult:
        started = time.perf_counter()
        verdict = spam_score(sender=sender, subject=subject, text=text, headers=headers, context=context)
        return self._result(verdict, model, started)

    def detect_language(self, *, model: str, text: str, prior: tuple[str, ...] = ()) -> AIResult:
        started = time.perf_counter()
        return self._result(language.detect_language(text, prior=prior), model, started)

    def detect_topics(self, *, model: str, text: str, topics: list[TopicCandidate]) -> AIResult:
        started = time.perf_counter()
        return self._result(match_topics(text, topics), model, started)

    def extract_fields(self, *, model: str, text: str, fields: list[FieldSpec]) -> AIResult:
        started = time.perf_counter()
        return self._result(extract_fields(text, fields), model, started)

    def draft_reply(self, *, model: str, request: ReplyRequest, run_tool=None) -> AIResult:
        started = time.perf_counter()
        reply, chosen = extractive_reply(request)
        for piece in _WORD_PIECE.findall(reply):  # offered word by word, as a streaming model would
            reply_delta(piece)
        prompt = "Extractive reply from: " + ", ".join(passage.title for passage in chosen)
        return self._result(reply, model, started, prompt=prompt)

    def summarize(self, *, model: str, text: str, lang: str) -> AIResult:
        started = time.perf_counter()
        return self._result(extractive_summary(text), model, started)

    def language_for_location(self, *, model: str, country: str, state: str, city: str) -> AIResult:
        started = time.perf_counter()
        return self._result(language_of_country(country), model, started)

    def write_room_report(self, *, model: str, request: RoomReportRequest) -> AIResult:
        """Sentences grouped per element with the lexicon applied, headed in the dictation's language."""
        started = time.perf_counter()
        lang = self.detect_language(model=model, text=request.transcript).value or "en"
        text = room_report_html(transcript=request.transcript, lang=lang, lexicon=request.lexicon)
        prompt = f"Offline write-up of {request.room_name!r} ({lang}), lexicon of {len(request.lexicon)} characters"
        return self._result(text, model, started, prompt=prompt)


def spam_score(
    *, sender: str, subject: str, text: str, headers: str = "", context: SpamContext | None = None
) -> SpamVerdict:
    """The offline spam verdict (score 0..1, kind, reasons); see ai.providers.spam."""
    return spam.spam_verdict(sender=sender, subject=subject, text=text, headers=headers, context=context)


def match_topics(text: str, candidates: list[TopicCandidate], *, limit: int = 3) -> list[int]:
    """The confident topics of `text`, best first; see ai.providers.topics."""
    return topics.match_topics(text, candidates, limit=limit)


def extract_fields(text: str, fields: list[FieldSpec]) -> dict:
    """Values found next to a field's name or display name ("Order number: 1234"), typed by the field type;
    dropdowns match one of their options anywhere in the text. Fields not found are left out."""
    found: dict = {}
    lines = (text or "").splitlines()
    for spec in fields:
        if spec.field_type == "dropdown":
            folded = fold(text or "")
            option = next((option for option in spec.options if fold(option) in folded), None)
            if option is not None:
                found[spec.field_name] = option
            continue
        labels = {fold(label) for label in (spec.display_name, spec.field_name.replace("_", " ")) if label}
        for line in lines:
            folded_line = fold(line)
            label = next((label for label in labels if label and label in folded_line), None)
            if label is None:
                continue
            rest = line[folded_line.index(label) + len(label) :].lstrip(" :=#-\t")
            value = _typed(spec.field_type, rest)
            if value not in (None, ""):
                found[spec.field_name] = value
                break
    return found


def _typed(field_type: str, raw: str):
    raw = raw.strip()
    if field_type == "number":
        match = _NUMBER.search(raw)
        if not match:
            return None
        number = float(match.group().replace(",", "."))
        return int(number) if number.is_integer() else number
    if field_type == "date":
        match = _DATE.search(raw)
        try:
            parsed = date_parser.parse(match.group() if match else raw, dayfirst=True, fuzzy=True)
        except (ValueError, OverflowError):
            return None
        return date(parsed.year, parsed.month, parsed.day).isoformat()
    return raw.split("\n")[0][:500] or None


def extractive_reply(request: ReplyRequest) -> tuple[str, list[Passage]]:
    """A greeting and thanks in the message language, the best-matching passages of the tenant's documents
    (or a holding line when none matches), the closing and the signature."""
    lang = request.lang if request.lang in PHRASES else "en"
    words = PHRASES[lang]
    candidates = [
        Passage(title=document.title, text=part)
        for document in (*request.knowledge, *request.instructions)
        for part in _paragraphs(document.text)
    ]
    query = Counter(tokens(f"{request.subject}\n{request.message_text}\n{request.additional_info}"))
    chosen: list[Passage] = []
    if candidates and query:
        scores = TfIdfIndex([Counter(tokens(candidate.text)) for candidate in candidates]).scores(query)
        floor = ai_float("AI_LOCAL_PASSAGE_MIN_SCORE")
        ranked = sorted(zip(scores, range(len(candidates)), strict=True), reverse=True)
        chosen = [candidates[index] for score, index in ranked[:2] if score >= floor]
    greeting = words["greet"].format(name=request.end_user_name) if request.end_user_name else words["greet_anon"]
    parts = [greeting, "", words["thanks"]]
    if chosen:
        parts += [words["found"], ""] + [passage.text for passage in chosen]
    else:
        parts.append(words["holding"])
    parts += ["", words["close"]]
    if request.signature:
        parts.append(request.signature)
    return "\n".join(parts).strip(), chosen


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a document without markdown headings; long paragraphs are cut into sentence groups."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text or ""):
        block = "\n".join(line for line in block.splitlines() if not line.lstrip().startswith("#")).strip()
        if not block:
            continue
        if len(block) <= 600:
            paragraphs.append(block)
            continue
        group = ""
        for sentence in sentences(block):
            if group and len(group) + len(sentence) > 500:
                paragraphs.append(group)
                group = ""
            group = f"{group} {sentence}".strip()
        if group:
            paragraphs.append(group)
    return paragraphs


def extractive_summary(text: str, *, limit: int = 3) -> str:
    """The `limit` sentences most central to the conversation (highest stem frequency), in their original order."""
    parts = sentences(text)
    if len(parts) <= limit:
        return " ".join(parts)
    frequency = Counter(tokens(text))
    scored = []
    for index, sentence in enumerate(parts):
        stems = tokens(sentence)
        if stems:
            scored.append((sum(frequency[stem] for stem in stems) / len(stems) ** 0.5, index))
    keep = sorted(index for _, index in sorted(scored, reverse=True)[:limit])
    return " ".join(parts[index] for index in keep)


_country_codes: dict[str, str] | None = None


def language_of_country(country: str) -> str | None:
    """ISO 639-3 code of the first official language of a country given by name (any CLDR English name)
    or ISO 3166 code; None when the country is unknown."""
    global _country_codes
    if _country_codes is None:
        _country_codes = {fold(name): code for code, name in Locale("en").territories.items() if code.isalpha()}
    value = (country or "").strip()
    code = value.upper() if len(value) == 2 and value.isalpha() else _country_codes.get(fold(value))
    if not code:
        return None
    languages = get_official_languages(code, de_facto=True)
    return iso_639_3(languages[0].split("_")[0]) if languages else None
