"""Offline answers: the right passage (bm25s over Snowball stems + sentence embeddings), abstention below the
calibrated score, the lexical fallback without the encoder, per-process indexes and the channel's form."""

import time

import pytest

from ai.conf import ai_float
from ai.evaluation.answers import evaluate_answers
from ai.providers import embeddings, retrieval
from ai.providers.base import Passage, ReplyRequest
from ai.providers.local import COVERED, NOT_COVERED, LocalProvider

local = LocalProvider()

SHOP_EN = (
    Passage(
        "FAQ",
        "How long does delivery take? Orders are delivered within 2 working days.\n"
        "Can I return a product? You can return any product within 30 days for a full refund.\n"
        "Do you price match? We match the price of any UK retailer.\n"
        "Can I pick up my order? Click and collect is available at our Manchester store.",
    ),
    Passage(
        "Warranty",
        "# Warranty\n\n## Standard warranty\n\nEvery product has a 2-year warranty\ncovering manufacturing defects.\n\n"
        "## Broken screens\n\nScreen repairs cost 89 pounds.",
    ),
)
SHOP_NL = (
    Passage(
        "Veelgestelde vragen",
        "V: Hoe lang duurt de levering? A: De levering duurt 3 werkdagen.\n"
        "V: Kan ik mijn bestelling retourneren? A: Retourneren kan binnen 14 dagen met het retourlabel.\n"
        "V: Kan ik in termijnen betalen? A: Ja, in 10 termijnen zonder rente.",
    ),
)
SHOP_FR = (
    Passage(
        "Questions fréquentes",
        "Q : À quelle heure est le check-in ? R : Les chambres sont disponibles à partir de 15 heures.\n"
        "Q : Le petit-déjeuner est-il inclus ? R : Le petit-déjeuner coûte 18 euros par personne.\n"
        "Q : Les animaux sont-ils acceptés ? R : Les chiens sont acceptés pour 15 euros par nuit.",
    ),
)


def _draft(text, knowledge, lang="en", **kwargs):
    return local.draft_reply(
        model="local",
        request=ReplyRequest(message_text=text, lang=lang, knowledge=knowledge, **{"channel_type": "Chat", **kwargs}),
    )


@pytest.fixture
def without_embeddings(monkeypatch):
    """The sentence encoder is not installed: `embed` answers None (as ai.providers.embeddings does then)."""
    monkeypatch.setattr(embeddings, "embed", lambda texts: None)
    monkeypatch.setattr(embeddings, "available", lambda: False)
    monkeypatch.setattr(retrieval, "_indexes", type(retrieval._indexes)())


@pytest.mark.parametrize(
    ("question", "knowledge", "lang", "fact"),
    [
        ("I would like to return my headphones, is that possible?", SHOP_EN, "en", "within 30 days"),
        ("How long does delivery take?", SHOP_EN, "en", "2 working days"),
        ("My screen is broken, what does a repair cost?", SHOP_EN, "en", "89 pounds"),
        ("Hoe kan ik mijn bestelling terugsturen of retourneren?", SHOP_NL, "nl", "14 dagen"),
        ("Kan ik afbetalen in termijnen?", SHOP_NL, "nl", "10 termijnen"),
        ("Combien coûte le petit-déjeuner ?", SHOP_FR, "fr", "18 euros"),
        ("Puis-je venir avec mon chien ?", SHOP_FR, "fr", "15 euros par nuit"),
    ],
)
def test_the_answer_is_the_one_passage_that_answers(question, knowledge, lang, fact):
    reply = _draft(question, knowledge, lang)
    assert reply.coverage == COVERED and fact in reply.value
    assert reply.value.count("\n") == 0  # one pair, not the document


def test_returns_get_the_returns_passage_not_the_delivery_one():
    reply = _draft("What is your returns policy?", SHOP_EN)
    assert "30 days" in reply.value and "delivered" not in reply.value


def test_typos_and_very_short_questions_still_find_their_passage():
    assert "2 working days" in _draft("how long does delivry take", SHOP_EN).value
    assert "30 days" in _draft("can i retrun a product", SHOP_EN).value
    assert "89 pounds" in _draft("screen repair?", SHOP_EN).value
    assert "3 werkdagen" in _draft("levering?", SHOP_NL, "nl").value


@pytest.mark.parametrize(
    ("question", "knowledge", "lang", "holding"),
    [
        ("Do you sell gift cards?", SHOP_EN, "en", "a colleague will answer you here"),
        ("Are you hiring? I would like to apply for a job.", SHOP_EN, "en", "a colleague will answer you here"),
        ("Verkopen jullie ook cadeaubonnen?", SHOP_NL, "nl", "een collega antwoordt u hier"),
        ("Organisez-vous des visites guidées de la ville ?", SHOP_FR, "fr", "un collègue vous répond ici"),
    ],
)
def test_an_uncovered_question_gets_the_honest_holding_line_and_is_marked_not_covered(
    question, knowledge, lang, holding
):
    reply = _draft(question, knowledge, lang)
    assert reply.coverage == NOT_COVERED and holding in reply.value
    assert "Not covered by the knowledge documents" in reply.prompt


def test_without_any_knowledge_the_e_mail_draft_is_a_holding_letter():
    reply = local.draft_reply(model="local", request=ReplyRequest(message_text="Une question ?", lang="fr"))
    assert reply.coverage == NOT_COVERED
    holding = "Merci pour votre message. Nous avons bien reçu votre message et revenons vers vous dès que possible."
    assert reply.value == f"Bonjour,\n\n{holding}"


def test_without_the_sentence_encoder_retrieval_falls_back_to_lexical_scores(without_embeddings):
    index = retrieval.index_for(SHOP_EN)
    assert index.vectors is None
    hits = index.search("Can I return a product?", lang="en")
    assert hits[0].semantic is None and "30 days" in hits[0].passage.text
    assert retrieval.answer_threshold(hits) == ai_float("AI_LOCAL_ANSWER_MIN_SCORE_LEXICAL")
    assert "30 days" in _draft("Can I return a product?", SHOP_EN).value
    assert _draft("Do you sell gift cards?", SHOP_EN).coverage == NOT_COVERED


def test_the_thresholds_are_settings(settings):
    settings.AI_LOCAL_ANSWER_MIN_SCORE = "1.01"
    settings.AI_LOCAL_ANSWER_MIN_SCORE_LEXICAL = "1.01"
    assert _draft("How long does delivery take?", SHOP_EN).coverage == NOT_COVERED
    settings.AI_LOCAL_ANSWER_MIN_SCORE = "0.0"
    settings.AI_LOCAL_ANSWER_MIN_SCORE_LEXICAL = "0.0"
    assert _draft("Do you sell gift cards?", SHOP_EN).coverage == COVERED


def test_an_index_is_built_once_per_document_set_and_a_draft_is_cheap_after_warm_up(monkeypatch):
    documents = (Passage("Hours", "## Opening hours\n\nWe are open from 9 to 18 on weekdays."), *SHOP_EN)
    monkeypatch.setattr(retrieval, "_indexes", type(retrieval._indexes)())
    builds = []
    real_build = retrieval.index_build
    monkeypatch.setattr(retrieval, "index_build", lambda docs: builds.append(1) or real_build(docs))
    _draft("When are you open?", documents)
    started = time.process_time()
    for _ in range(20):
        reply = _draft("When are you open?", documents)
    per_draft = (time.process_time() - started) / 20
    assert builds == [1] and "9 to 18" in reply.value
    assert per_draft < 0.05  # the budget: ≤ 50 ms of CPU per message after warm-up


def test_chat_answers_are_chat_lines_and_e_mail_answers_are_signed_letters():
    chat = _draft("How long does delivery take?", SHOP_EN, end_user_name="Marie", signature="Piet\nAcme")
    email = _draft(
        "How long does delivery take?", SHOP_EN, end_user_name="Marie", signature="Piet\nAcme", channel_type="Email"
    )
    assert chat.value == "Orders are delivered within 2 working days."
    assert email.value == "Dear Marie,\n\nOrders are delivered within 2 working days.\n\nKind regards,\nPiet\nAcme"
    for text in (chat.value, email.value):
        assert "Thank you for your message" not in text and "Here is the information" not in text


def test_whatsapp_is_answered_like_chat():
    reply = _draft("Kan ik in termijnen betalen?", SHOP_NL, "nl", channel_type="WhatsApp", end_user_name="Jan")
    assert reply.value == "Ja, in 10 termijnen zonder rente."


def test_an_e_mail_without_signature_has_no_dangling_closing_and_a_signature_with_its_own_closing_gets_no_second():
    bare = _draft("Kan ik in termijnen betalen?", SHOP_NL, "nl", channel_type="Email")
    own = _draft(
        "Kan ik in termijnen betalen?", SHOP_NL, "nl", channel_type="Email", signature="Met vriendelijke groet,\nPiet"
    )
    assert bare.value == "Beste,\n\nJa, in 10 termijnen zonder rente."
    assert own.value.endswith("zonder rente.\n\nMet vriendelijke groet,\nPiet")
    assert own.value.count("groet") == 1


def test_passages_quoted_in_e_mail_keep_paragraphs_but_not_source_line_wraps():
    reply = _draft("Is there a warranty on manufacturing defects?", SHOP_EN, channel_type="Email")
    assert "Every product has a 2-year warranty covering manufacturing defects." in reply.value


def test_the_shipped_answer_set_meets_its_floors():
    """Floors a little under the figures measured when the thresholds were calibrated (see the report)."""
    report = evaluate_answers()
    figures = report.figures
    assert figures["questions"] >= 90 and set(figures["per_language"]) == {"nl", "en", "fr"}
    assert figures["fact_share"] >= 0.85, report.failures
    assert figures["uncovered_answered_share"] <= 0.05, report.failures
    assert all(len(line) < 200 for line in report.lines())


def test_the_shipped_answer_set_without_embeddings(without_embeddings):
    figures = evaluate_answers().figures
    assert figures["embeddings"] is False
    assert figures["fact_share"] >= 0.75 and figures["uncovered_answered_share"] <= 0.05


def test_the_cross_language_answer_sets_meet_their_floors():
    """Questions in another language than the documents: the tuning set and the held-out set (never tuned on;
    floors under the measured figures in bench/ai/README.md, far under the same-language ones)."""
    from ai.evaluation.answers import CROSS_LANGUAGE_PATH, HELDOUT_PATH

    tuning = evaluate_answers(CROSS_LANGUAGE_PATH)
    assert tuning.figures["fact_share"] >= 0.8 and tuning.figures["uncovered_answered_share"] <= 0.05, tuning.failures
    assert set(tuning.figures["per_language"]) == {"nl", "en", "fr"}
    held = evaluate_answers(HELDOUT_PATH)
    assert held.figures["fact_share"] >= 0.5 and held.figures["uncovered_answered_share"] <= 0.15, held.failures


def test_a_question_in_another_language_finds_its_passage_through_the_lexicon():
    index = retrieval.index_for(SHOP_FR)
    assert "chien" in index.word_tokens("dog", "en")  # en "dog" → fr "chien" (lexicon), only across languages
    assert "15 euros par nuit" in _draft("Are dogs allowed?", SHOP_FR, "en").value
    assert "18 euros" in _draft("Hoeveel kost het ontbijt?", SHOP_FR, "nl").value
    assert "14 dagen" in _draft("Puis-je retourner ma commande ?", SHOP_NL, "fr").value
    hits = index.search("Are dogs allowed?", lang="en")
    assert hits[0].foreign and retrieval.answer_threshold(hits) == ai_float("AI_LOCAL_CROSS_ANSWER_MIN_SCORE")
    assert _draft("Is there a gym in the hotel?", SHOP_FR, "en").coverage == NOT_COVERED


def test_words_of_the_same_meaning_find_each_other():
    index = retrieval.index_for(SHOP_EN)
    assert "deliveri" in index.word_tokens("shipping", "en")  # shipping → delivery
    assert "2 working days" in _draft("How fast is shipping?", SHOP_EN).value
    assert "14 dagen" in _draft("Kan ik mijn bestelling terugsturen?", SHOP_NL, "nl").value
