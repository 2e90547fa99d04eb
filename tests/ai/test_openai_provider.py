"""The OpenAI-compatible provider against respx-mocked HTTP under the real openai client."""

import json

import httpx
import pytest

from ai.providers.base import AIProviderError, AIRefusal, FieldSpec, ReplyRequest, TopicCandidate
from ai.providers.openai_compatible import OpenAIProvider
from tests.ai.openai_fakes import BASE_URL, CHAT_URL, completion, json_completion, stream_body


@pytest.fixture
def provider():
    return OpenAIProvider(api_key="sk-test", base_url=BASE_URL)


def _sent(route, index=-1) -> dict:
    return json.loads(route.calls[index].request.content)


def test_chat_sends_key_model_and_messages_and_reports_usage(openai_mock, provider):
    route = openai_mock.post(CHAT_URL).respond(200, json=completion("Hello there", prompt_tokens=12))

    result = provider.chat(model="gpt-test", messages=[{"role": "user", "content": "Hi"}])

    assert result.value == "Hello there"
    assert (result.input_tokens, result.output_tokens, result.provider) == (12, 7, "openai")
    request = route.calls.last.request
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert _sent(route) == {"model": "gpt-test", "messages": [{"role": "user", "content": "Hi"}]}
    assert "[user]\nHi" in result.prompt


def test_streamed_reply_joins_deltas_takes_usage_from_the_last_chunk_and_signs(openai_mock, provider):
    route = openai_mock.post(CHAT_URL).respond(
        200,
        content=stream_body(["Beste Jan,", " uw factuur", " volgt."], prompt_tokens=40, completion_tokens=6),
        headers={"Content-Type": "text/event-stream"},
    )
    request = ReplyRequest(message_text="Waar is mijn factuur?", lang="nl", signature="Piet\nAcme")

    result = provider.draft_reply(model="gpt-test", request=request)

    assert result.value == "Beste Jan, uw factuur volgt.\n\nPiet\nAcme"
    assert (result.input_tokens, result.output_tokens) == (40, 6)
    sent = _sent(route)
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert "Waar is mijn factuur?" in sent["messages"][-1]["content"]


def test_429_is_retried_after_the_retry_after_delay(openai_mock, provider, no_retry_sleep):
    route = openai_mock.post(CHAT_URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}, json={"error": {"message": "slow down"}}),
            httpx.Response(200, json=completion("ok")),
        ]
    )

    result = provider.chat(model="gpt-test", messages=[{"role": "user", "content": "x"}])

    assert result.value == "ok"
    assert route.call_count == 2
    assert no_retry_sleep == [2.0]


def test_429_after_every_retry_is_a_retryable_rate_limit_error(openai_mock, provider, no_retry_sleep, settings):
    settings.AI_OPENAI_MAX_RETRIES = 2
    limited = OpenAIProvider(api_key="sk-test", base_url=BASE_URL)
    route = openai_mock.post(CHAT_URL).respond(429, headers={"Retry-After": "1"}, json={"error": {"message": "no"}})

    with pytest.raises(AIProviderError) as raised:
        limited.chat(model="gpt-test", messages=[{"role": "user", "content": "x"}])

    assert (raised.value.code, raised.value.retryable) == ("AIProviderRateLimited", True)
    assert route.call_count == 3


def test_timeout_is_retried_then_reported_as_retryable(openai_mock, no_retry_sleep, settings):
    settings.AI_OPENAI_MAX_RETRIES = 1
    provider = OpenAIProvider(api_key="sk-test", base_url=BASE_URL)
    route = openai_mock.post(CHAT_URL).mock(side_effect=httpx.ReadTimeout("read timed out"))

    with pytest.raises(AIProviderError) as raised:
        provider.chat(model="gpt-test", messages=[{"role": "user", "content": "x"}])

    assert (raised.value.code, raised.value.retryable, raised.value.status_code) == ("AIProviderTimeout", True, 502)
    assert route.call_count == 2


def test_refusal_is_not_retryable(openai_mock, provider):
    route = openai_mock.post(CHAT_URL).respond(200, json=completion(None, refusal="I can't help with that."))

    with pytest.raises(AIRefusal) as raised:
        provider.chat(model="gpt-test", messages=[{"role": "user", "content": "x"}])

    assert raised.value.code == "AIRefused" and not raised.value.retryable
    assert "can't help" in str(raised.value.detail)
    assert route.call_count == 1


def test_streamed_refusal_and_content_filter_are_refusals(openai_mock, provider):
    openai_mock.post(CHAT_URL).mock(
        side_effect=[
            httpx.Response(200, content=stream_body([], refusal="No."), headers={"Content-Type": "text/event-stream"}),
            httpx.Response(200, json=completion("partial", finish_reason="content_filter")),
        ]
    )
    with pytest.raises(AIRefusal):
        provider.draft_reply(model="gpt-test", request=ReplyRequest(message_text="x"))
    with pytest.raises(AIRefusal):
        provider.summarize(model="gpt-test", text="x", lang="en")


def test_bad_key_is_not_retried(openai_mock, provider, no_retry_sleep):
    route = openai_mock.post(CHAT_URL).respond(401, json={"error": {"message": "bad key"}})

    with pytest.raises(AIProviderError) as raised:
        provider.chat(model="gpt-test", messages=[{"role": "user", "content": "x"}])

    assert (raised.value.code, raised.value.retryable) == ("AIProviderAuthFailed", False)
    assert route.call_count == 1 and no_retry_sleep == []


def test_server_error_is_retried_by_the_client(openai_mock, provider, no_retry_sleep):
    route = openai_mock.post(CHAT_URL).mock(
        side_effect=[
            httpx.Response(503, json={"error": {"message": "busy"}}),
            httpx.Response(200, json=completion("x")),
        ]
    )
    assert provider.chat(model="gpt-test", messages=[{"role": "user", "content": "x"}]).value == "x"
    assert route.call_count == 2 and len(no_retry_sleep) == 1


def test_json_operations_ask_for_json_and_keep_only_known_answers(openai_mock, provider):
    route = openai_mock.post(CHAT_URL).mock(
        side_effect=[
            httpx.Response(200, json=json_completion({"topicIds": [7, "3", 99, 7]})),
            httpx.Response(200, json=json_completion({"order_number": 1234, "unknown": "x", "city": None})),
            httpx.Response(200, json=json_completion({"isSpam": True, "score": 0.93, "reason": "lottery"})),
        ]
    )
    topics = [TopicCandidate(topic_id=3, name="Billing"), TopicCandidate(topic_id=7, name="Delivery")]
    fields = [FieldSpec("order_number", "number", "Order number"), FieldSpec("city", "text", "City")]

    assert provider.detect_topics(model="m", text="where is my parcel", topics=topics).value == [7, 3]
    assert provider.extract_fields(model="m", text="order 1234", fields=fields).value == {"order_number": 1234}
    verdict = provider.spam_check(model="m", sender="a@b.c", subject="win", text="you won").value
    assert verdict.is_spam and verdict.score == 0.93
    assert all(_sent(route, index)["response_format"] == {"type": "json_object"} for index in range(3))


def test_invalid_json_is_a_retryable_error(openai_mock, provider):
    openai_mock.post(CHAT_URL).respond(200, json=completion("not json"))
    with pytest.raises(AIProviderError) as raised:
        provider.detect_topics(model="m", text="x", topics=[TopicCandidate(topic_id=1, name="A")])
    assert (raised.value.code, raised.value.retryable) == ("AIInvalidOutput", True)


def test_transcription_posts_the_audio_and_reports_seconds(openai_mock, provider):
    route = openai_mock.post(f"{BASE_URL}/audio/transcriptions").respond(
        200, json={"text": "Goedemiddag", "usage": {"type": "duration", "seconds": 4}}
    )
    result = provider.transcribe(model="whisper-1", audio=b"RIFF....WAVE", filename="call.wav")
    assert (result.value, result.seconds) == ("Goedemiddag", 4.0)
    assert b"RIFF....WAVE" in route.calls.last.request.content


def test_web_search_is_requested_only_when_enabled(openai_mock):
    route = openai_mock.post(CHAT_URL).respond(200, json=completion("x"))
    OpenAIProvider(api_key="sk-test", base_url=BASE_URL, web_search=True).chat(model="m", messages=[])
    OpenAIProvider(api_key="sk-test", base_url=BASE_URL).chat(model="m", messages=[])
    assert _sent(route, 0)["web_search_options"] == {} and "web_search_options" not in _sent(route, 1)


def test_spam_check_shows_the_model_the_automated_mail_headers_only(openai_mock, provider):
    route = openai_mock.post(CHAT_URL).respond(200, json=json_completion({"isSpam": True, "score": 0.9}))
    headers = "Received: from mx.example by mx2\nAuto-Submitted: auto-replied\nList-Id: <news.example>\nX-Spam: 1"
    verdict = provider.spam_check(model="m", sender="a@b.c", subject="OOO", text="I am away", headers=headers).value
    prompt = _sent(route)["messages"][-1]["content"]
    assert "Auto-Submitted: auto-replied" in prompt and "List-Id: <news.example>" in prompt
    assert "Received:" not in prompt and "X-Spam" not in prompt
    assert verdict.is_spam and verdict.kind == ""
