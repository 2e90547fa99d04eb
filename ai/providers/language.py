"""Offline language detection: lingua in low-accuracy mode (trigram models, about 20 ms to load instead of the
1-4 s of the preloaded high-accuracy models), restricted to settings.AI_LOCAL_LANGUAGES, with the tenant's own
languages as a prior. Very short lines ("merci!", "dank u", "thx") carry too few trigrams for any statistical
model, so a small lexicon of the words such lines are made of decides them first, and ties go to the tenant's
first language."""

import re
import threading

from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

from ai.conf import ai_list
from ai.providers.text import fold

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
SHORT_LETTERS = 40  # below this many letters a line counts as short
PRIOR_WEIGHT = 1.6  # how much more likely a tenant language is than another configured one, a priori

# Words that make up short chat lines, accent-folded; only words that are not also common in another of these
# languages (no "ok", "top", "info", "merci" is French only).
_SHORT_WORDS = {
    "en": "thanks thank thx ty yes yeah yep no nope please pls hello hi hey bye cheers great sorry still nothing "
    "where when why what how is my the and not received arrived help invoice order refund cancel booking wrong "
    "got any news update asap urgent done perfect fine good awesome cool sure okay mate again why didnt doesnt "
    "dont cant wont my mine did you your have any broken login password account delivery parcel its way it this that "
    "with are was for yet package shipped",
    "nl": "dank bedankt dankjewel dankuwel ja nee neen graag hoi hallo dag doei groetjes super prima goed "
    "top ok oke nog steeds niks niets geen waar wanneer waarom hoe mijn mn m'n het een van en is niet ontvangen "
    "aangekomen hulp factuur bestelling pakket retour annuleren terugbetaling fout klopt even snel dringend "
    "gedaan perfect helemaal al alweer weer wachtwoord inloggen lukt werkt kapot levering bedankt ik heb u uw "
    "jullie wat welke kan kunnen moet zal aub alstublieft astublieft annuleren opzeggen stopzetten afspraak "
    "morgen vandaag gisteren wil zou",
    "fr": "merci oui non stp svp bonjour bonsoir salut coucou au revoir bien parfait super toujours rien pas "
    "encore ou quand pourquoi comment mon ma mes le la les est et recu arrive aide facture commande colis "
    "retour annuler remboursement erreur urgent vite fait d'accord daccord genial je j'ai vous votre nos "
    "mot de passe connexion marche fonctionne casse livraison beaucoup tres quoi ca c'est gratuit prix combien "
    "j ai qu suis creve crevaison panne cours complet seance seances inclut ce que des du au aux une pour avec "
    "dans sur",
}
_SHORT_LEXICON = {
    lang: frozenset(
        word
        for word in words.split()
        if not any(word in other.split() for code, other in _SHORT_WORDS.items() if code != lang)
    )
    for lang, words in _SHORT_WORDS.items()
}

_detectors: dict[tuple[str, ...], object] = {}
_lock = threading.Lock()


def configured_languages() -> list[str]:
    return [code.lower() for code in ai_list("AI_LOCAL_LANGUAGES")]


def _language(code: str) -> Language | None:
    member = getattr(IsoCode639_1, code.upper(), None)
    return Language.from_iso_code_639_1(member) if member is not None else None


def language_detector(codes: tuple[str, ...] | None = None):
    """The lingua detector (low-accuracy mode) for `codes` (default: AI_LOCAL_LANGUAGES), built once per process
    and language set; lingua loads each language's trigram model on first use and shares it between detectors."""
    key = tuple(sorted(set(codes or configured_languages())))
    detector = _detectors.get(key)
    if detector is None:
        with _lock:
            detector = _detectors.get(key)
            if detector is None:
                languages = [language for language in map(_language, key) if language is not None]
                if len(languages) < 2:  # lingua needs two; a single-language set still answers that language
                    languages.append(Language.ENGLISH if Language.ENGLISH not in languages else Language.DUTCH)
                detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
                _detectors[key] = detector
    return detector


def detect_language(text: str, *, prior: tuple[str, ...] | list[str] = ()) -> str | None:
    """ISO 639-1 code of the language of `text` among AI_LOCAL_LANGUAGES; `prior` are the tenant's languages
    (most used first), preferred when the text is ambiguous and the answer for a line no model can place.
    None for a text without letters."""
    text = text or ""
    words = _WORD.findall(fold(text))
    if not words:
        return None
    configured = configured_languages()
    prior = [code for code in (c.lower() for c in prior) if code in configured]
    letters = sum(len(word) for word in words)
    if letters < SHORT_LETTERS:
        short = _short_line_language(words, prior or configured)
        if short is not None:
            return short
    elif letters < SHORT_LETTERS * 2 and prior and set(prior) <= set(_SHORT_LEXICON):
        # a line of a few more words to a tenant whose languages all have a lexicon: the lexicon decides only when
        # it is unanimous (loanwords such as "coaching" or "premium" pull lingua's trigrams towards English). Not
        # without a prior: Spanish or Italian share "de", "la", "que" with the French lexicon.
        medium = _short_line_language(words, prior, unanimous=3)
        if medium is not None:
            return medium
    # a short line has too few trigrams to tell a tenant language from a foreign one: it is one of the tenant's
    candidates = tuple(prior) if prior and letters < SHORT_LETTERS and len(prior) > 1 else tuple(configured)
    values = {
        confidence.language.iso_code_639_1.name.lower(): confidence.value
        for confidence in language_detector(candidates).compute_language_confidence_values(text)
    }
    if prior:
        # the tenant's languages weigh more; more so for short texts, where the trigram evidence is thin
        weight = PRIOR_WEIGHT if letters >= SHORT_LETTERS else PRIOR_WEIGHT * 2
        values = {code: value * (weight if code in prior else 1.0) for code, value in values.items()}
    best = max(values, key=values.get, default=None)
    if best is None or values[best] <= 0.0:
        return prior[0] if prior else None
    return best


def _short_line_language(words: list[str], candidates: list[str], *, unanimous: int = 0) -> str | None:
    """The candidate language whose short-line lexicon covers most of the words, if one clearly does; with
    `unanimous`, only when at least that many words are of one language and none of another."""
    counts = {
        lang: sum(1 for word in words if word in _SHORT_LEXICON[lang]) for lang in candidates if lang in _SHORT_LEXICON
    }
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda item: (-item[1], candidates.index(item[0])))
    best, hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if unanimous:
        return best if hits >= unanimous and runner_up == 0 else None
    if hits and hits > runner_up and hits * 2 >= len(words):
        return best
    return None
