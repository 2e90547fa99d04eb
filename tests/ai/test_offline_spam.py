"""Offline spam: the corpus-trained classifier, automated-mail headers, link patterns, the tenant's marks and the
sender's history; the committed weights match the corpus."""

import json
import logging

import numpy as np
import pytest

from ai.evaluation.local import DATA
from ai.providers import spam
from ai.providers.base import SpamContext, SpamKind, SpamMark
from ai.providers.local import LocalProvider

local = LocalProvider()


def _verdict(text, *, subject="", sender="client@example.be", headers="", context=None):
    return local.spam_check(
        model="local", sender=sender, subject=subject, text=text, headers=headers, context=context
    ).value


@pytest.mark.parametrize(
    ("headers", "sender", "kind"),
    [
        ("Auto-Submitted: auto-replied", "jan@example.be", SpamKind.AUTOREPLY),
        ("X-Autoreply: yes", "jan@example.be", SpamKind.AUTOREPLY),
        ("Precedence: auto_reply", "jan@example.be", SpamKind.AUTOREPLY),
        ("Precedence: bulk", "jan@example.be", SpamKind.NEWSLETTER),
        ("List-Unsubscribe: <mailto:leave@list.example>", "news@example.be", SpamKind.NEWSLETTER),
        ("List-Id: <customers.example.be>", "news@example.be", SpamKind.NEWSLETTER),
        ("Content-Type: multipart/report; report-type=delivery-status; boundary=x", "x@mx.example", SpamKind.BOUNCE),
        ("", "MAILER-DAEMON@mx.example.be", SpamKind.BOUNCE),
        ("", "postmaster@example.be", SpamKind.BOUNCE),
    ],
)
def test_automated_mail_is_recognised_from_headers_and_senders_whatever_the_text(headers, sender, kind):
    verdict = _verdict("Hallo, waar blijft mijn bestelling?", headers=headers, sender=sender)
    assert verdict.is_spam and verdict.automated and verdict.kind == kind


def test_auto_submitted_no_is_a_person_writing():
    verdict = _verdict("Hallo, waar blijft mijn bestelling?", headers="Auto-Submitted: no")
    assert not verdict.is_spam and not verdict.automated


def test_an_out_of_office_text_without_headers_is_an_auto_reply():
    verdict = _verdict(
        "Ik ben afwezig tot en met 14 augustus en heb geen toegang tot mijn mail.", subject="Afwezig: Re: uw offerte"
    )
    assert verdict.is_spam and verdict.kind == SpamKind.AUTOREPLY


def test_phishing_links_raise_the_score():
    lure = "Please review the attached document and sign in to continue."
    plain = spam.link_signals(lure)[0]
    raw_ip = spam.link_signals(lure + " http://203.0.113.7/login")
    mismatch = spam.link_signals(lure + " www.kbc.be <http://kbc-login.example-secure.net/x>")
    assert plain == 0 and raw_ip[0] > 2 and "link to a raw IP address" in raw_ip[1]
    assert mismatch[0] > 2 and any("leads to kbc-login.example-secure.net" in reason for reason in mismatch[1])
    verdict = _verdict(
        "Uw account wordt geblokkeerd. Bevestig uw gegevens via http://198.51.100.4/belfius", subject="Belangrijk"
    )
    assert verdict.is_spam and verdict.kind == SpamKind.PHISHING


def test_a_customer_asking_about_a_link_or_newsletter_is_genuine():
    assert not _verdict("Ik wil me uitschrijven voor jullie nieuwsbrief, hoe doe ik dat?").is_spam
    assert not _verdict("merci, c'est réglé").is_spam
    assert not _verdict("Where is my order? It was due yesterday.").is_spam


def test_the_tenant_marks_move_the_verdict_both_ways():
    pitch = "Wij bieden professionele fotografie voor uw producten aan, vanaf 20 euro per foto. Interesse?"
    cold = _verdict(pitch)
    marked_spam = SpamContext(
        marks=(
            SpamMark("Wij bieden productfotografie aan voor webshops, vanaf 25 euro per foto. Interesse?", True),
            SpamMark("Professional product photos for your shop from 20 EUR each, interested?", True),
        )
    )
    warm = _verdict(pitch, context=marked_spam)
    assert warm.score > cold.score and warm.is_spam
    assert "close to messages this tenant marked spam" in warm.reasons

    offer = "Mag ik u een offerte sturen voor het onderhoud van uw tuin dit najaar?"
    asked = "Kunnen jullie een offerte sturen voor tuinonderhoud in oktober?"
    genuine_marks = SpamContext(marks=(SpamMark(asked, False),))
    assert _verdict(offer, context=genuine_marks).score < _verdict(offer).score


def test_the_sender_history_in_the_tenant_counts():
    text = "Special price on office chairs this week only, reply for the catalogue."
    assert _verdict(text, context=SpamContext(sender_spam=2)).score > _verdict(text).score
    assert _verdict(text, context=SpamContext(sender_genuine=3)).score < _verdict(text).score


def test_corpus_covers_three_languages_and_every_kind():
    rows = spam.corpus_rows()
    assert len(rows) >= 300
    assert {lang for _, lang, _ in rows} == {"nl", "en", "fr"}
    assert {kind for kind, _, _ in rows} == {
        SpamKind.GENUINE,
        SpamKind.SPAM,
        SpamKind.PHISHING,
        SpamKind.NEWSLETTER,
        SpamKind.SALES,
        SpamKind.AUTOREPLY,
        SpamKind.BOUNCE,
    }


def test_evaluation_messages_are_not_in_the_training_corpus():
    corpus = spam.CORPUS.read_text(encoding="utf-8")
    evaluation = json.loads((DATA / "spam.json").read_text(encoding="utf-8"))["messages"]
    assert not [message["text"] for message in evaluation if message["text"] in corpus]


def test_the_committed_weights_are_what_training_on_the_corpus_gives():
    """Deterministic training: the artifact is reproducible from the corpus (rerun `manage.py ai_spam_train` after
    editing the corpus)."""
    fresh = spam.train_arrays()
    with np.load(spam.ARTIFACT, allow_pickle=False) as stored:
        assert str(stored["corpus_sha256"][0]) == spam.corpus_digest()
        for name, array in fresh.items():
            if array.dtype.kind in "fc":
                np.testing.assert_allclose(stored[name], array, atol=1e-5)
            else:
                assert stored[name].tolist() == array.tolist()


def test_the_numpy_transform_equals_scikit_learns():
    from scipy.sparse import hstack

    words, chars = spam._vectorizers()
    documents = [document for _, _, document in spam.corpus_rows()]
    words.fit(documents)
    chars.fit(documents)
    model = spam.model()
    for document in ["Hallo, waar blijft   mijn pakket?", spam._document("Re: x", "Vérifiez votre compte ici")]:
        expected = hstack([words.transform([document]), chars.transform([document])]).toarray()[0]
        columns, values = model.features(document)
        actual = np.zeros_like(expected)
        actual[columns] = values
        np.testing.assert_allclose(actual, expected, atol=1e-6)


def test_a_corpus_newer_than_the_artifact_is_trained_in_process(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(spam, "ARTIFACT", tmp_path / "missing.npz")
    monkeypatch.setattr(spam, "_model", None)
    # The logger's own level, so a root level raised by an earlier test (a Celery worker's set-up) does not hide it.
    caplog.set_level(logging.WARNING, logger=spam.__name__)
    assert _verdict("Vous avez gagné 1 000 000 € à la loterie, envoyez vos coordonnées bancaires").is_spam
    assert "training in-process" in caplog.text
