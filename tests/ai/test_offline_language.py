"""Offline language detection: lingua in low-accuracy mode, the tenant's languages as prior, short lines."""

import pytest

from ai.providers import language
from ai.providers.local import LocalProvider

local = LocalProvider()
BELGIAN = ("nl", "fr", "en")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("merci!", "fr"),
        ("dank u", "nl"),
        ("thx", "en"),
        ("ok merci", "fr"),
        ("bedankt, tot morgen", "nl"),
        ("toujours rien reçu", "fr"),
        ("still nothing", "en"),
        ("factuur?", "nl"),
        ("waar is mn pakket", "nl"),
        ("is my parcel on its way?", "en"),
        ("j'ai crevé, urgent", "fr"),
    ],
)
def test_short_lines_with_the_tenant_languages_as_prior(text, lang):
    assert local.detect_language(model="local", text=text, prior=BELGIAN).value == lang


def test_without_a_prior_a_short_line_may_go_to_any_configured_language():
    # "ok merci" reads as Italian/Spanish to trigram statistics over seven languages; the prior is what fixes it
    assert language.detect_language("ok merci", prior=()) in language.configured_languages()
    assert language.detect_language("ok merci", prior=BELGIAN) == "fr"


def test_a_long_text_in_a_language_outside_the_prior_is_still_recognised():
    text = "Guten Tag, ich habe vor zwei Wochen eine Bestellung aufgegeben und sie ist immer noch nicht angekommen."
    assert language.detect_language(text, prior=BELGIAN) == "de"


def test_prior_languages_outside_the_configured_set_are_ignored(settings):
    settings.AI_LOCAL_LANGUAGES = "en,nl"
    assert language.detect_language("merci beaucoup pour votre aide", prior=("fr", "nl")) in ("en", "nl")


def test_no_letters_no_language():
    assert language.detect_language("  123 !!! ", prior=BELGIAN) is None
    assert local.detect_language(model="local", text="").value is None


def test_the_detector_is_built_once_per_language_set_in_low_accuracy_mode():
    first = language.language_detector(("nl", "fr", "en"))
    assert language.language_detector(("en", "fr", "nl")) is first
    assert language.language_detector(("en", "nl")) is not first


def test_the_short_line_lexicon_has_no_word_in_two_languages():
    lexicons = language._SHORT_LEXICON
    for lang, words in lexicons.items():
        for other, other_words in lexicons.items():
            if other != lang:
                assert not words & other_words


def test_a_line_of_a_few_words_goes_by_the_lexicon_only_for_a_tenant_of_lexicon_languages():
    line = "Est-ce que l'abonnement premium inclut des séances de coaching ?"  # loanwords pull lingua to English
    assert local.detect_language(model="local", text=line, prior=BELGIAN).value == "fr"
    spanish = "Tengo que cancelar mi cita del jueves. ¿Podemos cambiarla a la semana que viene?"  # "que", "la"
    assert local.detect_language(model="local", text=spanish).value == "es"
