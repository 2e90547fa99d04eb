"""Reply drafts through the routes and the pipeline: the not-covered marker (aI_ReplyCoverage) in the message JSON,
chat drafts as chat lines, e-mail drafts signed with the rep's or the channel's signature in the message language."""

import pytest

from tests.accounts.factories import RepSignatureFactory
from tests.ai.scenario import OPENING_HOURS, RETURNS, tenant_setup
from tests.channels_cfg.factories import ChannelTranslationFactory
from tests.conftest import assert_problem
from tests.tickets.factories import TicketFactory, TicketMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(customer):
    return tenant_setup(customer)


def _message(customer, channel, text, *, lang="nl"):
    ticket = TicketFactory(customer=customer, channel=channel, channel_type=channel.channel_type)
    return TicketMessageFactory(
        customer=customer, ticket=ticket, channel=channel, text_body=text, message=text, lang=lang, from_name="Jan"
    )


def _reply(client, message):
    response = client.post(f"/api/TicketMessages/{message.pk}/reply")
    assert response.status_code == 200, response.content
    return response.json()["reply"]


def test_a_covered_question_is_answered_from_its_passage_and_marked_covered(rep_client, customer, tenant):
    message = _message(customer, tenant.email, "Hoe lang heb ik om iets te retourneren?")
    reply = _reply(rep_client, message)
    assert RETURNS.split(". ")[0] in reply and OPENING_HOURS not in reply
    data = rep_client.get(f"/api/TicketMessages/{message.pk}").json()
    assert data["aI_ReplyCoverage"] == "Covered" and data["aI_GeneratedResponse"] == reply


def test_an_uncovered_question_gets_a_holding_draft_marked_not_covered_in_the_api(rep_client, customer, tenant):
    message = _message(customer, tenant.email, "Verkopen jullie ook cadeaubonnen voor een verjaardag?")
    reply = _reply(rep_client, message)
    assert "zo snel mogelijk bij u terug" in reply
    data = rep_client.get(f"/api/TicketMessages/{message.pk}").json()
    assert data["aI_ReplyCoverage"] == "NotCovered"
    assert "Not covered by the knowledge documents" in data["aiPrompt"]


def test_the_coverage_marker_is_read_only(rep_client, customer, tenant):
    message = _message(customer, tenant.email, "Verkopen jullie ook cadeaubonnen?")
    _reply(rep_client, message)
    body = {"aI_ReplyCoverage": "Covered", "aI_ModifiedResponse": "Ja, vanaf 10 euro."}
    response = rep_client.put(f"/api/TicketMessages/{message.pk}", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["aI_ReplyCoverage"] == "NotCovered"


def test_the_coverage_of_another_tenants_message_is_not_found(rep_client, other_customer):
    foreign = TicketMessageFactory(customer=other_customer)
    assert_problem(rep_client.get(f"/api/TicketMessages/{foreign.pk}"), 404)
    assert_problem(rep_client.post(f"/api/TicketMessages/{foreign.pk}/reply"), 404)


def test_chat_drafts_are_chat_lines_without_letter_or_signature(rep_client, customer, tenant):
    message = _message(customer, tenant.chat, "Wanneer zijn jullie open op zaterdag?")
    reply = _reply(rep_client, message)
    assert reply == OPENING_HOURS


def test_e_mail_drafts_use_the_callers_signature_in_the_message_language(rep_client, rep, customer, tenant):
    rep.email_signature_text = "Agent (default)"
    rep.save()
    RepSignatureFactory(customer=customer, rep=rep, lang="fr", email_signature_text="Agent — service clients")
    dutch = _reply(rep_client, _message(customer, tenant.email, "Wanneer zijn jullie open op zaterdag?"))
    french = _reply(rep_client, _message(customer, tenant.email, "Quand êtes-vous ouverts ?", lang="fr"))
    assert dutch.endswith("Met vriendelijke groeten,\nAgent (default)")
    assert french.startswith("Bonjour ") and french.endswith("Cordialement,\nAgent — service clients")


def test_without_a_rep_signature_in_the_language_the_channels_signature_is_used(rep_client, rep, customer, tenant):
    rep.email_signature_text = "Agent (default)"
    rep.save()
    ChannelTranslationFactory(
        customer=customer, channel=tenant.email, lang="fr", translations={"emailSignature": "L'équipe Acme"}
    )
    ChannelTranslationFactory(
        customer=customer, channel=tenant.email, lang="en", translations={"emailSignature": "The Acme team"}
    )
    french = _reply(rep_client, _message(customer, tenant.email, "Quand êtes-vous ouverts ?", lang="fr"))
    german = _reply(rep_client, _message(customer, tenant.email, "Wann haben Sie geöffnet?", lang="de"))
    assert french.endswith("Cordialement,\nL'équipe Acme")
    assert german.endswith("Agent (default)")  # no German channel text: the rep's default, not another language


def test_a_channel_signature_alone_signs_when_the_rep_has_none(rep_client, rep, customer, tenant):
    rep.email_signature_text = ""
    rep.save()
    ChannelTranslationFactory(
        customer=customer, channel=tenant.email, lang="nl", is_default=True, translations={"emailSignature": "Acme"}
    )
    reply = _reply(rep_client, _message(customer, tenant.email, "Wanneer zijn jullie open op zaterdag?", lang="en"))
    assert reply.endswith("Kind regards,\nAcme")


def test_the_channels_own_holding_line_in_the_message_language_replaces_the_default(rep_client, customer, tenant):
    ChannelTranslationFactory(
        customer=customer,
        channel=tenant.chat,
        lang="nl",
        translations={"aiHoldingMessage": "Goede vraag! Een collega van de winkel antwoordt u straks hier."},
    )
    dutch = _reply(rep_client, _message(customer, tenant.chat, "Verkopen jullie cadeaubonnen?"))
    french = _reply(rep_client, _message(customer, tenant.chat, "Vendez-vous des bons cadeaux ?", lang="fr"))
    assert dutch == "Goede vraag! Een collega van de winkel antwoordt u straks hier."
    assert french.startswith("Je n'ai pas cette information sous la main")
