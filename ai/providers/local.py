"""The offline provider: deterministic, no network. Language detection (ai.providers.language: lingua with the
tenant's languages as prior), spam (ai.providers.spam: a classifier trained on the shipped corpus plus mail
signals and the tenant's marks), topic matching across languages (ai.providers.topics: sentence embeddings plus
TF-IDF over topic names, descriptions and learned examples), custom-field extraction by pattern, extractive replies
and summaries from the tenant's own documents."""

import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

from babel import Locale
from babel.languages import get_official_languages
from dateutil import parser as date_parser
from lingua import IsoCode639_1, Language

from ai.conf import ai_list
from ai.providers import language, retrieval, spam, topics
from ai.providers.base import (
    AIResult,
    FieldSpec,
    Provider,
    ReplyRequest,
    RoomReportRequest,
    SpamContext,
    SpamVerdict,
    TopicCandidate,
)
from ai.providers.room_report import room_report_html
from ai.providers.streaming import reply_delta
from ai.providers.text import fold, sentences, tokens

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


# Per-language phrases of the extractive reply: e-mail is a letter, chat (and WhatsApp, Teams, phone) a chat line.
PHRASES = {
    "en": {
        "greet": "Dear {name},",
        "greet_anon": "Hello,",
        "thanks": "Thank you for your message.",
        "holding": "We have received your message and will get back to you as soon as possible.",
        "chat_holding": "I don't have that information at hand; a colleague will answer you here as soon as possible.",
        "close": "Kind regards,",
    },
    "nl": {
        "greet": "Beste {name},",
        "greet_anon": "Beste,",
        "thanks": "Bedankt voor uw bericht.",
        "holding": "We hebben uw bericht goed ontvangen en komen zo snel mogelijk bij u terug.",
        "chat_holding": "Die informatie heb ik niet bij de hand; een collega antwoordt u hier zo snel mogelijk.",
        "close": "Met vriendelijke groeten,",
    },
    "fr": {
        "greet": "Bonjour {name},",
        "greet_anon": "Bonjour,",
        "thanks": "Merci pour votre message.",
        "holding": "Nous avons bien reçu votre message et revenons vers vous dès que possible.",
        "chat_holding": "Je n'ai pas cette information sous la main ; un collègue vous répond ici dès que possible.",
        "close": "Cordialement,",
    },
    "de": {
        "greet": "Hallo {name},",
        "greet_anon": "Guten Tag,",
        "thanks": "Vielen Dank für Ihre Nachricht.",
        "holding": "Wir haben Ihre Nachricht erhalten und melden uns so schnell wie möglich.",
        "chat_holding": "Diese Information habe ich nicht zur Hand; ein Kollege antwortet Ihnen hier bald.",
        "close": "Mit freundlichen Grüßen",
    },
    "es": {
        "greet": "Estimado/a {name}:",
        "greet_anon": "Hola:",
        "thanks": "Gracias por su mensaje.",
        "holding": "Hemos recibido su mensaje y le responderemos lo antes posible.",
        "chat_holding": "No tengo esa información a mano; un compañero le responderá aquí lo antes posible.",
        "close": "Saludos cordiales,",
    },
}
CHAT_CHANNELS = frozenset({"Chat", "WhatsApp", "Teams", "Phone"})
COVERED, NOT_COVERED = "Covered", "NotCovered"
# A signature that opens with its own closing ("Kind regards,\nPiet") gets no second one.
_CLOSING_START = re.compile(
    r"^\s*(kind|best|warm)?\s*regards|^\s*(met )?vriendelijke groet|^\s*groeten|^\s*cordialement|^\s*bien [àa] vous|"
    r"^\s*(mit )?freundliche|^\s*saludos|^\s*sincerely|^\s*thanks|^\s*merci|^\s*--",
    re.IGNORECASE,
)

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
        reply = extractive_reply(request)
        for piece in _WORD_PIECE.findall(reply.text):  # offered word by word, as a streaming model would
            reply_delta(piece)
        if reply.hits:
            prompt = "Extractive reply from: " + "; ".join(
                f"{hit.passage.context or hit.passage.title} (score {hit.score:.2f})" for hit in reply.hits
            )
        else:
            best = f"best {reply.best.score:.2f}, {reply.best.passage.title}" if reply.best else "no passages"
            threshold = retrieval.answer_threshold([reply.best] if reply.best else [])
            prompt = f"Not covered by the knowledge documents ({best}; answers need {threshold:.2f}): holding reply"
        return AIResult(
            value=reply.text,
            provider=LOCAL,
            model=model or LOCAL,
            seconds=time.perf_counter() - started,
            prompt=prompt,
            coverage=reply.coverage,
        )

    def summarize(self, *, model: str, text: str, lang: str) -> AIResult:
        started = time.perf_counter()
        return self._result(extractive_summary(text), model, started)

    def language_for_location(self, *, model: str, country: str, state: str, city: str) -> AIResult:
        started = time.perf_counter()
        return self._result(language_of_country(country), model, started)

    def write_room_report(self, *, model: str, request: RoomReportRequest) -> AIResult:
        """Sentences grouped per element with the lexicon applied, headed in the report's language (else the
        dictation's)."""
        started = time.perf_counter()
        lang = self.detect_language(model=model, text=request.transcript).value or "en"
        heading_lang = request.lang or lang
        text = room_report_html(
            transcript=request.transcript, lang=lang, lexicon=request.lexicon, heading_lang=heading_lang
        )
        prompt = (
            f"Offline write-up of {request.room_name!r} (dictated in {lang}, headings in {heading_lang}), "
            f"lexicon of {len(request.lexicon)} characters"
        )
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


@dataclass(frozen=True)
class ExtractiveReply:
    text: str
    hits: list  # ai.providers.retrieval.Hit rows quoted, best first; empty when the reply abstains
    best: object | None  # the best hit found, quoted or not (for the prompt shown to representatives)

    @property
    def coverage(self) -> str:
        return COVERED if self.hits else NOT_COVERED


def reply_hits(request: ReplyRequest, query: str) -> list:
    """The ranked passages for the request: the tenant index's hits when the caller searched, else an index of
    `knowledge` (built once per document set); prompt documents are searched too."""
    lang = request.lang or "en"
    hits = list(request.knowledge_hits) if request.knowledge_hits is not None else []
    for documents in ((request.knowledge,) if request.knowledge_hits is None else ()) + (request.instructions,):
        if documents:
            hits += retrieval.index_for(documents).search(query, lang=lang)
    return sorted(hits, key=lambda hit: -hit.score)


def question_text(request: ReplyRequest) -> str:
    """What the end user asks: subject, message and the representative's additional information, without the
    end user's own name (signed messages would otherwise look for it in the documents)."""
    text = "\n".join(part for part in (request.subject, request.message_text, request.additional_info) if part)
    for name in (request.end_user_name or "").split():
        if len(name) >= 2:
            text = re.sub(rf"\b{re.escape(name)}\b", " ", text, flags=re.IGNORECASE)
    return text


def extractive_reply(request: ReplyRequest) -> ExtractiveReply:
    """The passage that answers the question (or the few that belong together), in the channel's form: a chat line
    for chat channels, a letter with greeting and the signature for e-mail; the channel's honest holding line when no
    passage clears the calibrated score."""
    lang = request.lang if request.lang in PHRASES else "en"
    words = PHRASES[lang]
    ranked = reply_hits(request, question_text(request))
    chosen = retrieval.answer_hits(ranked)
    answer = [hit.passage.text for hit in chosen]
    best = ranked[0] if ranked else None
    if request.channel_type in CHAT_CHANNELS:
        holding = " ".join(part for part in (request.holding_line or words["chat_holding"], request.away_line) if part)
        text = "\n\n".join(answer) if answer else holding
        return ExtractiveReply(text=text, hits=chosen, best=best)
    greeting = words["greet"].format(name=request.end_user_name) if request.end_user_name else words["greet_anon"]
    holding = request.holding_line or f"{words['thanks']} {words['holding']}"
    holding = f"{holding} {request.away_line}" if request.away_line else holding
    parts = [greeting, *answer] if answer else [greeting, holding]
    signature = (request.signature or "").strip()
    if signature:
        parts.append(signature if _CLOSING_START.match(signature) else f"{words['close']}\n{signature}")
    return ExtractiveReply(text="\n\n".join(parts), hits=chosen, best=best)


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
