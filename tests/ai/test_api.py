"""AI routes of Ticket Messages, the ticket summary and Translations: success, 400, 401, 403, 404."""

import json

import httpx
import pytest

from ai.models import MessagePipeline
from answerpal.api.tokens import TokenKind, token_issue
from billing.models import CostEntry
from customers.models import AIProvider, ModelPurpose
from tests.ai.openai_fakes import CHAT_URL, completion, json_completion, stream_body
from tests.ai.scenario import OPENING_HOURS, tenant_setup
from tests.conftest import assert_problem, client_with_token
from tests.customers.factories import AIModelFactory, CustomFieldDefinitionFactory
from tests.tickets.factories import TicketFactory, TicketMessageFactory
from tickets.models import AIStepStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(customer):
    return tenant_setup(customer)


@pytest.fixture
def message(customer, tenant):
    ticket = TicketFactory(customer=customer, channel=tenant.email, subject="Openingsuren")
    return TicketMessageFactory(
        customer=customer,
        ticket=ticket,
        text_body="Goedemiddag, wat zijn jullie openingsuren op zaterdag? Ik kom graag langs in de winkel.",
        from_name="Jan",
    )


@pytest.fixture
def foreign_message(other_customer):
    return TicketMessageFactory(customer=other_customer)


@pytest.fixture
def own_phone_client(customer, message):
    """A phone token bound to the message's own channel."""
    token = token_issue(kind=TokenKind.PHONE, customer_id=customer.pk, channel_id=message.channel_id)
    return client_with_token(token)


def url(message_id, action):
    return f"/api/TicketMessages/{message_id}/{action}"


# --- reply --------------------------------------------------------------------------------------


def test_reply_generates_and_stores_a_draft_signed_by_the_caller(rep_client, rep, message):
    rep.email_signature_text = "Agent Smith"
    rep.save()
    message.ai_modified_response = "an older edit"
    message.save()

    response = rep_client.post(url(message.pk, "reply"))

    assert response.status_code == 200, response.content
    reply = response.json()["reply"]
    assert reply.startswith("Beste ") and OPENING_HOURS in reply and reply.endswith("Agent Smith")
    message.refresh_from_db()
    assert message.ai_generated_response == reply and message.ai_modified_response == ""
    assert message.ai_reply_status == AIStepStatus.COMPLETED and message.lang == "nl"
    assert CostEntry.objects.filter(message_id=message.pk, purpose="reply", provider="Local").count() == 1


def test_reply_accepts_a_phone_token_of_the_message_channel_only(own_phone_client, phone_client, message):
    assert own_phone_client.post(url(message.pk, "reply")).status_code == 200
    assert_problem(phone_client.post(url(message.pk, "reply")), 403, "PhoneChannelMismatch")


def test_reply_without_a_configured_provider_is_503(rep_client, customer, message):
    customer.default_email_model = AIModelFactory(customer=None, model_name="gpt-4o", model_type=ModelPurpose.EMAIL)
    customer.save()
    assert_problem(rep_client.post(url(message.pk, "reply")), 503, "AIProviderUnavailable")
    message.refresh_from_db()
    assert message.ai_reply_status == AIStepStatus.FAILED


def test_reply_with_openai_failure_is_502_and_recorded(rep_client, openai_customer, openai_mock, no_retry_sleep):
    ticket = TicketFactory(customer=openai_customer)
    message = TicketMessageFactory(customer=openai_customer, ticket=ticket)
    openai_mock.post(CHAT_URL).respond(401, json={"error": {"message": "bad key"}})
    assert_problem(rep_client.post(url(message.pk, "reply")), 502, "AIProviderAuthFailed")


def test_reply_routes_need_a_token_and_the_own_tenant(anon_client, rep_client, message, foreign_message):
    for action in ("reply", "reply-with-info", "preview", "execute-custom-field-definitions", "detect-topics"):
        assert_problem(anon_client.post(url(message.pk, action)), 401)
        assert_problem(rep_client.post(url(foreign_message.pk, action), {}, format="json"), 404, "NotFound")


def test_rep_routes_refuse_phone_tokens(own_phone_client, message):
    for action in ("reply-with-info", "preview", "execute-custom-field-definitions", "detect-topics"):
        assert_problem(own_phone_client.post(url(message.pk, action), {}, format="json"), 403, "Forbidden")


# --- reply-with-info ----------------------------------------------------------------------------


def test_reply_with_info_uses_the_extra_information_and_the_override_model(rep_client, customer, message):
    local_model = AIModelFactory(
        customer=customer, model_name="local-extractive", model_type=ModelPurpose.EMAIL, provider=AIProvider.LOCAL
    )
    body = {"additionalInfo": "Op zaterdag sluiten we uitzonderlijk om 15 uur.", "overrideModelID": local_model.pk}

    response = rep_client.post(url(message.pk, "reply-with-info"), body, format="json")

    assert response.status_code == 200, response.content
    message.refresh_from_db()
    assert message.additional_info == body["additionalInfo"]
    cost = CostEntry.objects.get(message_id=message.pk, purpose="reply")
    assert cost.model_name == "local-extractive"


def test_reply_with_info_override_goes_to_openai(rep_client, openai_customer, openai_mock):
    ticket = TicketFactory(customer=openai_customer)
    message = TicketMessageFactory(customer=openai_customer, ticket=ticket, lang="en")
    premium = AIModelFactory(customer=None, model_name="gpt-premium", model_type=ModelPurpose.EMAIL)
    route = openai_mock.post(CHAT_URL).respond(
        200, content=stream_body(["Sure, done."]), headers={"Content-Type": "text/event-stream"}
    )

    response = rep_client.post(
        url(message.pk, "reply-with-info"), {"additionalInfo": "Refund approved", "overrideModelID": premium.pk}
    )

    assert response.json() == {"reply": "Sure, done."}
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "gpt-premium" and "Refund approved" in sent["messages"][-1]["content"]


def test_reply_with_info_validation(rep_client, message, other_customer):
    foreign_model = AIModelFactory(customer=other_customer, model_type=ModelPurpose.EMAIL)
    body = assert_problem(
        rep_client.post(url(message.pk, "reply-with-info"), {"overrideModelID": foreign_model.pk}, format="json"), 400
    )
    assert "overrideModelID" in body["errors"]
    body = assert_problem(
        rep_client.post(url(message.pk, "reply-with-info"), {"additionalInfo": ["x"]}, format="json"), 400
    )
    assert "additionalInfo" in body["errors"]


# --- preview ------------------------------------------------------------------------------------


def test_preview_is_html_with_the_signature_in_the_message_language_and_no_pixel(rep_client, rep, message):
    from tests.accounts.factories import RepSignatureFactory

    RepSignatureFactory(
        customer=rep.customer, rep=rep, lang="nl", email_signature_text="Agent", email_signature_html="<b>Agent</b>"
    )
    message.lang = "nl"
    message.ai_generated_response = "Beste Jan,\n\nWe zijn open tot 18 uur.\n\nAgent"
    message.save()

    response = rep_client.post(url(message.pk, "preview"))

    assert response.status_code == 200
    preview = response.json()["preview"]
    assert "<p>Beste Jan,</p><p>We zijn open tot 18 uur.</p>" in preview
    assert preview.count("Agent") == 1 and "<b>Agent</b>" in preview and "<img" not in preview


def test_preview_of_an_edit_records_the_modified_response(rep_client, message):
    message.ai_generated_response = "Original draft"
    message.save()

    response = rep_client.post(url(message.pk, "preview"), {"modifiedAnswer": "Edited <draft>"}, format="json")
    assert "Edited &lt;draft&gt;" in response.json()["preview"]
    message.refresh_from_db()
    assert message.ai_modified_response == "Edited <draft>"

    rep_client.post(url(message.pk, "preview"), {"modifiedAnswer": "Original draft"}, format="json")
    message.refresh_from_db()
    assert message.ai_modified_response == ""


def test_preview_without_any_draft_is_400(rep_client, message):
    assert_problem(rep_client.post(url(message.pk, "preview")), 400, "NoDraft")
    assert_problem(rep_client.post(url(message.pk, "preview"), {"modifiedAnswer": ""}, format="json"), 400)


# --- custom fields and topics -------------------------------------------------------------------


def test_execute_custom_field_definitions_overwrites_with_extracted_values(rep_client, customer, message):
    CustomFieldDefinitionFactory(customer=customer, field_name="order_number", field_type="number")
    message.text_body = "Order number: 9921\nWanneer komt mijn pakket?"
    message.custom_fields_data = {"order_number": 1}
    message.save()

    response = rep_client.post(url(message.pk, "execute-custom-field-definitions"))

    assert response.json() == {"customFieldsData": {"order_number": 9921}}
    message.refresh_from_db()
    assert message.custom_fields_data == {"order_number": 9921}


def test_execute_custom_field_definitions_without_definitions_is_400(rep_client, message):
    assert_problem(
        rep_client.post(url(message.pk, "execute-custom-field-definitions")), 400, "NoCustomFieldDefinitions"
    )


def test_detect_topics_replaces_ai_topics_and_keeps_corrections(rep_client, tenant, message):
    from tickets.models import TicketMessageTopic

    TicketMessageTopic.objects.create(customer=message.customer, message=message, topic=tenant.billing)
    TicketMessageTopic.objects.create(customer=message.customer, message=message, topic=tenant.delivery, corrected=True)

    response = rep_client.post(url(message.pk, "detect-topics"))

    assert response.status_code == 200
    assert {(row["topicName"], row["corrected"]) for row in response.json()} == {
        ("Levering", True),
        ("Openingsuren", False),
    }
    message.refresh_from_db()
    assert message.ai_topics_status == AIStepStatus.COMPLETED


def test_detect_topics_without_topics_for_the_channel_is_400(rep_client, tenant, message):
    tenant.email.topic_policy_mode = "Include"
    tenant.email.save()
    assert_problem(rep_client.post(url(message.pk, "detect-topics")), 400, "NoTopics")


# --- summary ------------------------------------------------------------------------------------


def test_summarize_stores_the_summary_on_the_ticket(rep_client, message):
    response = rep_client.post(f"/api/Tickets/{message.ticket_id}/summarize")

    assert response.status_code == 200, response.content
    summary = response.json()["summary"]
    assert "openingsuren" in summary.lower()
    message.ticket.refresh_from_db()
    assert message.ticket.summary == summary
    assert CostEntry.objects.filter(purpose="summary").count() == 1


def test_summarize_errors(rep_client, anon_client, phone_client, customer, other_customer):
    empty = TicketFactory(customer=customer)
    foreign = TicketFactory(customer=other_customer)
    assert_problem(rep_client.post(f"/api/Tickets/{empty.pk}/summarize"), 400, "NothingToSummarize")
    assert_problem(rep_client.post(f"/api/Tickets/{foreign.pk}/summarize"), 404, "NotFound")
    assert_problem(anon_client.post(f"/api/Tickets/{empty.pk}/summarize"), 401)
    assert_problem(phone_client.post(f"/api/Tickets/{empty.pk}/summarize"), 403)


# --- translations -------------------------------------------------------------------------------


def test_translate_returns_a_plain_string(rep_client, openai_customer, openai_mock):
    route = openai_mock.post(CHAT_URL).respond(200, json=completion("Bedankt voor uw bericht."))

    response = rep_client.post(
        "/api/Translations/translate", {"sourceText": "Thank you for your message.", "targetLang": "nld"}
    )

    assert response.status_code == 200 and response.json() == "Bedankt voor uw bericht."
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "gpt-4o-mini" and "nld" in sent["messages"][0]["content"]
    assert CostEntry.objects.get(purpose="translate").provider == "OpenAI"


def test_translate_on_the_offline_provider_is_503(rep_client):
    response = rep_client.post("/api/Translations/translate", {"sourceText": "Hello", "targetLang": "fra"})
    assert_problem(response, 503, "AIProviderUnavailable")


def test_translate_validation_and_access(rep_client, anon_client, phone_client):
    for body, field in (
        ({"sourceText": "   ", "targetLang": "fra"}, "sourceText"),
        ({"sourceText": "Hi"}, "targetLang"),
    ):
        assert (
            field in assert_problem(rep_client.post("/api/Translations/translate", body, format="json"), 400)["errors"]
        )
    assert_problem(anon_client.post("/api/Translations/translate", {"sourceText": "x", "targetLang": "fra"}), 401)
    assert_problem(phone_client.post("/api/Translations/translate", {"sourceText": "x", "targetLang": "fra"}), 403)


def test_detect_language_ai_offline_answers_from_cldr(rep_client):
    response = rep_client.get("/api/Translations/detect-language-ai", {"country": "Belgium", "city": "Gent"})
    assert response.status_code == 200 and response.json() == "nld"
    assert CostEntry.objects.get(purpose="locationLanguage").provider == "Local"


def test_detect_language_ai_with_openai(rep_client, openai_customer, openai_mock):
    route = openai_mock.post(CHAT_URL).respond(200, json=json_completion({"lang": "fr"}))  # 639-1 is normalised
    response = rep_client.get(
        "/api/Translations/detect-language-ai", {"country": "Belgium", "state": "Wallonia", "city": "Namur"}
    )
    assert response.json() == "fra"
    assert "Namur, Wallonia, Belgium" in route.calls.last.request.content.decode()


def test_detect_language_ai_errors(rep_client, anon_client, phone_client):
    assert "country" in assert_problem(rep_client.get("/api/Translations/detect-language-ai"), 400)["errors"]
    assert_problem(rep_client.get("/api/Translations/detect-language-ai", {"country": " "}), 400)
    assert_problem(
        rep_client.get("/api/Translations/detect-language-ai", {"country": "Atlantis"}), 400, "UnknownLocation"
    )
    assert_problem(anon_client.get("/api/Translations/detect-language-ai", {"country": "BE"}), 401)
    assert_problem(phone_client.get("/api/Translations/detect-language-ai", {"country": "BE"}), 403)


def test_pipeline_row_is_not_created_by_on_demand_routes(rep_client, message):
    rep_client.post(url(message.pk, "reply"))
    assert not MessagePipeline.objects.exists()


def test_openai_reply_route_uses_the_tenant_key(rep_client, openai_customer, openai_mock):
    ticket = TicketFactory(customer=openai_customer)
    message = TicketMessageFactory(customer=openai_customer, ticket=ticket, lang="en")
    route = openai_mock.post(CHAT_URL).mock(
        return_value=httpx.Response(200, content=stream_body(["Hi"]), headers={"Content-Type": "text/event-stream"})
    )
    assert rep_client.post(url(message.pk, "reply")).json()["reply"] == "Hi"
    assert route.calls.last.request.headers["Authorization"] == "Bearer sk-test"


def test_a_signature_stored_under_the_three_letter_code_is_found(rep_client, rep, message):
    from tests.accounts.factories import RepSignatureFactory

    RepSignatureFactory(customer=rep.customer, rep=rep, lang="nld", email_signature_text="Met groet, Agent")
    message.lang = "nl"
    message.save()
    assert rep_client.post(url(message.pk, "reply")).json()["reply"].endswith("Met groet, Agent")
