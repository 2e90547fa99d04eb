"""Transcript → report text: offline (grouped per element, lexicon terms, dictation language), through the
customer's OpenAI-compatible model (real client, HTTP mocked), per room now or per report on the `ai` queue."""

import json

import httpx
import pytest
import respx

from ai.providers.base import AIProviderError
from billing.models import CostEntry, CostProvider
from customers.models import AIProvider, ModelPurpose
from places import services
from places.models import PlaceDescriptionRoom, TransformStatus
from tests.ai import respx_httpx2  # noqa: F401 - registers respx's "httpx2" mocker
from tests.ai.openai_fakes import BASE_URL, CHAT_URL, completion
from tests.automation.factories import TopicDocumentFactory, TopicFactory
from tests.conftest import assert_problem
from tests.customers.factories import AIModelFactory
from tests.documents.factories import DocumentFactory
from tests.places.factories import PlaceDescriptionRoomFactory

ROOMS = "/api/PlaceDescriptionRooms"
LEXICON = """# Lexicon van het kantoor
| Niet gebruiken | Wel gebruiken |
|---|---|
| tegels | tegelvloer |
- muur -> wand
- zoldering => plafond
"""
DUTCH = (
    "De muur aan de straatkant heeft een kleine barst. De tegels zijn in goede staat\n"
    "het raam sluit niet goed en de deur klemt. de zoldering heeft een vochtvlek. "
    "Het stopcontact naast de deur zit los. De kamer ruikt muf."
)
ENGLISH = "The carpet is stained near the window. The walls were freshly painted. The door handle is loose."


@pytest.fixture
def documents(report):
    report.lexicon_document = DocumentFactory(customer=report.customer, name="Lexicon", content=LEXICON)
    report.instructions_document = DocumentFactory(
        customer=report.customer, name="Instructies", content="Schrijf zakelijk en in de derde persoon."
    )
    report.transform_topic = TopicFactory(customer=report.customer, name="Plaatsbeschrijving")
    TopicDocumentFactory(
        customer=report.customer,
        topic=report.transform_topic,
        document=DocumentFactory(customer=report.customer, name="Huisstijl", content="Vermeld schade altijd."),
    )
    report.save()
    return report


@pytest.mark.django_db
def test_offline_room_transform_in_dutch_with_the_lexicon(rep_client, documents, room, customer):
    room.transcript = DUTCH
    room.save()
    response = rep_client.post(f"{ROOMS}/{room.pk}/transform")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["transformStatus"] == "Done" and body["transformModel"] == "local"
    assert body["reportText"] == (
        "<h3>Vloer</h3><ul><li>De tegelvloer zijn in goede staat.</li></ul>"
        "<h3>Wanden</h3><ul><li>De wand aan de straatkant heeft een kleine barst.</li></ul>"
        "<h3>Plafond</h3><ul><li>De plafond heeft een vochtvlek.</li></ul>"
        "<h3>Ramen</h3><ul><li>Het raam sluit niet goed en de deur klemt.</li></ul>"
        "<h3>Elektriciteit</h3><ul><li>Het stopcontact naast de deur zit los.</li></ul>"
        "<h3>Algemeen</h3><ul><li>De kamer ruikt muf.</li></ul>"
    )
    room.refresh_from_db()
    assert room.transformed_at is not None and "Woonkamer" in room.transform_prompt
    cost = CostEntry.objects.get(customer=customer)
    assert (cost.provider, cost.purpose, cost.amount) == (CostProvider.LOCAL, "placeReport", 0)


@pytest.mark.django_db
def test_offline_transform_in_english(admin_client, room):
    room.transcript = ENGLISH
    room.save()
    text = admin_client.post(f"{ROOMS}/{room.pk}/transform").json()["reportText"]
    assert text == (
        "<h3>Floor</h3><ul><li>The carpet is stained near the window.</li></ul>"
        "<h3>Walls</h3><ul><li>The walls were freshly painted.</li></ul>"
        "<h3>Doors</h3><ul><li>The door handle is loose.</li></ul>"
    )


@pytest.mark.django_db
def test_transform_without_transcript_400(admin_client, room):
    assert_problem(admin_client.post(f"{ROOMS}/{room.pk}/transform"), 400, "TranscriptMissing")
    room.refresh_from_db()
    assert room.transform_status == TransformStatus.IDLE and not CostEntry.objects.exists()


@pytest.mark.django_db
def test_report_transform_queues_each_room_with_a_transcript(
    rep_client, report, room, django_capture_on_commit_callbacks
):
    room.transcript = DUTCH
    room.save()
    english = PlaceDescriptionRoomFactory(customer=report.customer, report=report, transcript=ENGLISH)
    silent = PlaceDescriptionRoomFactory(customer=report.customer, report=report, report_text="<p>Leeg</p>")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = rep_client.post(f"/api/PlaceDescriptionReports/{report.pk}/transform")
    assert response.status_code == 202 and len(callbacks) == 2  # one task per room, sent after commit
    assert response.json() == {"placeDescriptionReportID": report.pk, "queuedRoomIDs": sorted([room.pk, english.pk])}
    statuses = {
        item["placeDescriptionRoomID"]: item
        for item in rep_client.get(f"/api/PlaceDescriptionReports/{report.pk}").json()["rooms"]
    }
    # Tasks run in process on the embedded default: both rooms are done, the silent one is untouched.
    assert statuses[room.pk]["transformStatus"] == statuses[english.pk]["transformStatus"] == "Done"
    # the English room of this Dutch report gets the report's (Dutch) headings over its English sentences
    assert "<h3>Wanden</h3><ul><li>The walls were freshly painted.</li></ul>" in statuses[english.pk]["reportText"]
    assert statuses[silent.pk]["transformStatus"] == "Idle" and statuses[silent.pk]["reportText"] == "<p>Leeg</p>"


@pytest.mark.django_db
def test_report_transform_without_any_transcript_400(admin_client, report, room):
    assert_problem(admin_client.post(f"/api/PlaceDescriptionReports/{report.pk}/transform"), 400, "TranscriptMissing")


@pytest.fixture
def openai_room(documents, room, customer):
    customer.openai_api_key = "sk-test"
    customer.openai_base_url = BASE_URL
    customer.default_summary_model = AIModelFactory(
        customer=None,
        model_name="gpt-report",
        model_type=ModelPurpose.SUMMARY,
        provider=AIProvider.OPENAI,
        input_price_per_million=2,
        output_price_per_million=8,
    )
    customer.save()
    room.transcript = DUTCH
    room.save()
    return room


@pytest.mark.django_db
def test_openai_transform_sends_lexicon_instructions_and_topic_documents(admin_client, openai_room, customer):
    answer = '```html\n<h3>Wanden</h3><p onclick="x()">Barst.</p><script>alert(1)</script>\n```'
    with respx.mock(using="httpx2", base_url=BASE_URL) as router:
        route = router.post(CHAT_URL).mock(
            return_value=httpx.Response(200, json=completion(answer, prompt_tokens=1000, completion_tokens=500))
        )
        response = admin_client.post(f"{ROOMS}/{openai_room.pk}/transform")
    assert response.status_code == 200, response.content
    assert response.json()["reportText"] == "<h3>Wanden</h3><p>Barst.</p>"
    sent = json.loads(route.calls.last.request.content)
    system, user = sent["messages"][0]["content"], sent["messages"][1]["content"]
    assert sent["model"] == "gpt-report"
    assert "tegels | tegelvloer" in system and "Schrijf zakelijk" in system and "Vermeld schade altijd." in system
    assert "PD-2026-001" in system and "Room: Woonkamer" in user and "vochtvlek" in user
    openai_room.refresh_from_db()
    assert "Vermeld schade altijd." in openai_room.transform_prompt and openai_room.transform_model == "gpt-report"
    cost = CostEntry.objects.get(customer=customer)
    assert (cost.provider, cost.input_tokens, cost.output_tokens) == (CostProvider.OPENAI, 1000, 500)
    assert str(cost.amount) == "0.006000"


@pytest.mark.django_db
def test_openai_failure_marks_the_room_failed(admin_client, openai_room, monkeypatch):
    monkeypatch.setattr("openai._base_client.time.sleep", lambda seconds: None)
    with respx.mock(using="httpx2", base_url=BASE_URL) as router:
        router.post(CHAT_URL).mock(return_value=httpx.Response(401, json={"error": {"message": "bad key"}}))
        assert_problem(admin_client.post(f"{ROOMS}/{openai_room.pk}/transform"), 502, "AIProviderAuthFailed")
    openai_room.refresh_from_db()
    assert (openai_room.transform_status, openai_room.transform_error) == ("Failed", "AIProviderAuthFailed")
    assert openai_room.report_text == ""


@pytest.mark.django_db
def test_retryable_failure_before_the_last_attempt_stays_queued(openai_room, monkeypatch):
    monkeypatch.setattr("openai._base_client.time.sleep", lambda seconds: None)
    with respx.mock(using="httpx2", base_url=BASE_URL) as router:
        router.post(CHAT_URL).mock(return_value=httpx.Response(503, json={"error": {"message": "busy"}}))
        with pytest.raises(AIProviderError) as raised:
            services.room_transform(room_id=openai_room.pk, final_attempt=False)
    assert raised.value.retryable
    assert PlaceDescriptionRoom.objects.get(pk=openai_room.pk).transform_status == TransformStatus.QUEUED
