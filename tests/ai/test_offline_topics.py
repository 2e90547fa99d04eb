"""Cross-language topic detection: embeddings + TF-IDF, learned examples, a confidence floor, a lexical fallback."""

import pytest

from ai.providers import embeddings, topics
from ai.providers.base import TopicCandidate
from ai.providers.local import LocalProvider

local = LocalProvider()

# A Dutch business describes its topics in Dutch only.
DUTCH = [
    TopicCandidate(1, "Levering", "Verzending, leveringstermijn, track & trace, pakket niet aangekomen of vertraagd."),
    TopicCandidate(2, "Facturen en betaling", "Factuur opvragen, betaling, dubbel aangerekend, btw-nummer."),
    TopicCandidate(3, "Account en inloggen", "Inloggen lukt niet, wachtwoord vergeten, account verwijderen."),
]


def _detect(text, candidates):
    return local.detect_topics(model="local", text=text, topics=candidates).value


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Bonjour, je n'ai toujours pas reçu mon colis, où en est la livraison ?", 1),
        ("Hi, my parcel still hasn't arrived, can you check the tracking?", 1),
        ("J'ai été débité deux fois pour la même commande.", 2),
        ("Could you send me an invoice with our VAT number?", 2),
        ("I forgot my password and can't log in.", 3),
        ("Ik kan niet meer inloggen op mijn account.", 3),
    ],
)
def test_messages_in_other_languages_match_dutch_topic_descriptions(text, topic):
    assert _detect(text, DUTCH)[0] == topic


def test_an_unrelated_message_gets_no_topic_rather_than_a_wrong_one():
    assert _detect("Vous recrutez des vendeurs pour cet été ?", DUTCH) == []
    assert topics.topic_scores("Vous recrutez des vendeurs pour cet été ?", DUTCH)[0].confidence < 0.18


# A garage describes its topics in French only; customers write short lines in Dutch and English.
GARAGE_FR = [
    TopicCandidate(1, "Pneus", "Changement de pneus, pneus hiver et été, crevaison, équilibrage."),
    TopicCandidate(2, "Carrosserie", "Rayure, bosse, pare-chocs, pare-brise fissuré, dégâts après un accident."),
    TopicCandidate(3, "Panne et dépannage", "Voiture en panne, ne démarre plus, voyant allumé, remorquage."),
]


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("lekke band achteraan", 1),
        ("j'ai crevé, urgent", 1),
        ("deuk in de motorkap", 2),
        ("My car broke down on the way to work, can you tow it?", 3),
    ],
)
def test_short_lines_in_another_language_match_through_the_lexicon(text, topic):
    assert _detect(text, GARAGE_FR)[0] == topic


def test_the_lexicon_gives_concepts_across_languages_and_synthetic_short_forms():
    from ai.providers import lexicon

    assert lexicon.concepts("lekke band") == lexicon.concepts("pneu crevé") == lexicon.concepts("flat tyre, tyres")
    assert lexicon.concepts("Het weer is mooi vandaag") == set()
    forms = topics._synthetic_forms(GARAGE_FR[0])
    assert any("lekke band" in form for form in forms) and any("puncture" in form for form in forms)


def test_corrections_rerank_but_do_not_pull_an_unrelated_message_onto_a_topic(monkeypatch):
    learned = [
        TopicCandidate(
            topic.topic_id,
            topic.name,
            topic.description,
            examples=(f"Vraag over {topic.name.lower()} voor mijn auto, kunnen jullie helpen?",),
        )
        for topic in GARAGE_FR
    ]
    assert _detect("Is er een bushalte in de buurt?", learned) == []
    vector = embeddings.embed(["Is er een bushalte in de buurt?"])[0]
    monkeypatch.setattr(topics, "LEARNED_ABSOLUTE", 0.0)  # leaves the neighbour term alone: centred across topics
    adjust = topics._learned(topics._profile(learned), vector, len(learned))
    assert abs(float(adjust.sum())) < 1e-6 and float(abs(adjust).max()) > 0


def test_corrections_teach_a_topic_its_description_does_not_cover():
    # "Stoelen" (chairs) has no description; cold, a question about a wobbly chair leg matches nothing confidently
    candidates = [*DUTCH, TopicCandidate(4, "Meubelonderdelen", "")]
    message = "Een poot van mijn stoel wiebelt, hebben jullie losse schroeven?"
    cold = topics.topic_scores(message, candidates)
    learned = [
        *DUTCH,
        TopicCandidate(
            4,
            "Meubelonderdelen",
            "",
            examples=(
                "De poot van de tafel is afgebroken, kan ik een nieuwe bestellen?",
                "Il me manque des vis pour monter l'armoire.",
                "One of the chair legs is loose, do you sell spare screws?",
            ),
        ),
    ]
    warm = topics.topic_scores(message, learned)
    assert _detect(message, learned)[0] == 4
    assert warm[0].topic_id == 4 and warm[0].confidence > next(s.confidence for s in cold if s.topic_id == 4)


def test_topic_vectors_are_cached_per_topic_set(monkeypatch):
    topics.topic_scores("warm-up", DUTCH)
    calls = []
    real = embeddings.embed
    monkeypatch.setattr(embeddings, "embed", lambda texts: calls.append(list(texts)) or real(texts))
    topics.topic_scores("Waar blijft mijn pakket?", DUTCH)
    assert calls == [["Waar blijft mijn pakket?"]]  # only the message; the topics' vectors were kept
    topics.topic_scores("Waar blijft mijn pakket?", DUTCH)
    assert len(calls) == 1


def test_lexical_fallback_without_embeddings(settings):
    settings.AI_LOCAL_EMBEDDINGS = "off"
    assert not topics.embeddings_enabled()
    assert _detect("Mijn factuur klopt niet, ik ben dubbel aangerekend", DUTCH)[0] == 2
    assert _detect("Het weer is mooi vandaag", DUTCH) == []


def test_the_package_missing_means_lexical_matching(monkeypatch):
    monkeypatch.setattr(embeddings, "_encoder", None)
    monkeypatch.setattr(embeddings, "_missing", True)
    assert embeddings.embed(["x"]) is None and not topics.embeddings_enabled()
    assert _detect("wachtwoord vergeten, inloggen lukt niet", DUTCH) == [3]


def test_no_topics_or_no_text():
    assert _detect("Waar blijft mijn pakket?", []) == []
    assert _detect("   ", DUTCH) == []
