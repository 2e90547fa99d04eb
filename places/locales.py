"""The locale of a place description: the report's language tag (set on the report, else guessed from the rooms'
dictation, else PLACES_REPORT_LANGUAGE) with its label language, Word proofing language and page layout. Every
locale here prints on A4; only the margins differ (Word's own defaults for that locale)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from ai.providers.text import stop_word_language

LABEL_LANGUAGES = ("nl", "en", "fr")


@dataclass(frozen=True)
class ReportLocale:
    """A language tag the report can be written in, the page it prints on and Word's margins for it."""

    tag: str
    page_width_mm: float = 210.0
    page_height_mm: float = 297.0
    margin_mm: float = 25.0

    @property
    def language(self) -> str:
        """The label language (nl, en or fr)."""
        return self.tag.split("-", 1)[0]


LOCALES = {
    locale.tag: locale
    for locale in (
        ReportLocale("nl-BE"),
        ReportLocale("nl-NL"),
        ReportLocale("fr-BE"),
        ReportLocale("fr-FR"),
        ReportLocale("fr-LU"),
        ReportLocale("en-GB", margin_mm=25.4),
        ReportLocale("en-IE", margin_mm=25.4),
    )
}
# The region a bare language (an export's `lang`, a guessed dictation) stands for.
DEFAULT_TAG = {"nl": "nl-BE", "fr": "fr-BE", "en": "en-GB"}
LANGUAGE_CHOICES = tuple(LOCALES)
# What an export's `lang` may ask for: a bare label language (its default region) or a locale.
EXPORT_LANG_CHOICES = (*LABEL_LANGUAGES, *LANGUAGE_CHOICES)


def locale_of(tag: str) -> ReportLocale:
    """The locale of a tag of LANGUAGE_CHOICES or a bare nl / en / fr; anything else is the configured default."""
    value = (tag or "").strip()
    for candidate in (value, DEFAULT_TAG.get(value.lower(), ""), settings.PLACES_REPORT_LANGUAGE, "nl-BE"):
        if candidate in LOCALES:
            return LOCALES[candidate]
    raise AssertionError("unreachable: nl-BE is a locale")


def report_locale(*, language: str, transcripts: Iterable[str], description: str = "") -> ReportLocale:
    """The report's own language when set; else the dictation's language by its stop words (the lingua models
    would cost a few hundred MB per process for three labels' worth of text); else PLACES_REPORT_LANGUAGE."""
    if language:
        return locale_of(language)
    sample = " ".join(text for text in transcripts if text)[:20000] or description
    guessed = stop_word_language(sample, LABEL_LANGUAGES)
    return locale_of(DEFAULT_TAG[guessed] if guessed else settings.PLACES_REPORT_LANGUAGE)
