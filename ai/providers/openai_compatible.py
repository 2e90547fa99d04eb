"""The OpenAI-compatible provider: the official `openai` client (OpenAI, Azure, vLLM, Ollama…) with the
tenant's key and optional base URL. Retries on 429/5xx honouring Retry-After are the client's own
(`max_retries`); timeouts, refusals and errors become AIProviderError / AIRefusal with stable codes."""

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import httpx2
import openai

from ai.conf import ai_float, ai_int
from ai.providers import prompts
from ai.providers.base import (
    AIProviderError,
    AIRefusal,
    AIResult,
    FieldSpec,
    Provider,
    ReplyRequest,
    RoomReportRequest,
    SpamContext,
    SpamVerdict,
    TopicCandidate,
)
from ai.providers.streaming import reply_delta
from answerpal.outbound_guard import transport_guard

OPENAI = "openai"

_clients: dict[tuple, openai.OpenAI] = {}
_clients_lock = threading.Lock()


def client_for(api_key: str, base_url: str) -> openai.OpenAI:
    """One client (and so one HTTP connection pool) per key, endpoint and client settings, shared by every thread
    of the worker process."""
    timeout = ai_float("AI_OPENAI_TIMEOUT_SECONDS")
    retries = ai_int("AI_OPENAI_MAX_RETRIES")
    connections = ai_int("AI_OPENAI_MAX_CONNECTIONS")
    key = (api_key, base_url, timeout, retries, connections)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = openai.OpenAI(
                api_key=api_key or "not-needed",
                base_url=base_url or None,
                max_retries=retries,
                timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
                # The base URL is tenant-configurable: connections go through the outbound-address guard.
                http_client=httpx2.Client(
                    transport=transport_guard(
                        httpx2.HTTPTransport(
                            limits=httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
                        ),
                        refusal_as_connect_error=True,  # a refused base URL is "AIProviderUnreachable"
                    ),
                    trust_env=False,
                ),
            )
            _clients[key] = client
    return client


MAX_TOOL_ROUNDS = 3
# Models asked for HTML sometimes wrap it in a markdown fence anyway.
_CODE_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*$", re.MULTILINE)


def _prompt_text(messages: list[dict]) -> str:
    return "\n\n".join(f"[{message['role']}]\n{message.get('content') or ''}" for message in messages)


def provider_error(error: openai.OpenAIError) -> AIProviderError:
    if isinstance(error, openai.APITimeoutError):
        return AIProviderError("AIProviderTimeout", "The AI provider did not answer in time.", retryable=True)
    if isinstance(error, openai.APIConnectionError):
        return AIProviderError("AIProviderUnreachable", "The AI provider could not be reached.", retryable=True)
    if isinstance(error, openai.RateLimitError):
        return AIProviderError("AIProviderRateLimited", "The AI provider is rate limiting us.", retryable=True)
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return AIProviderError(
            "AIProviderAuthFailed", "The AI provider refused the API key; check the customer's key.", retryable=False
        )
    if isinstance(error, openai.APIStatusError):
        retryable = error.status_code >= 500
        return AIProviderError(
            "AIProviderFailed" if retryable else "AIProviderRejected",
            f"The AI provider answered {error.status_code}.",
            retryable=retryable,
        )
    return AIProviderError("AIProviderFailed", str(error)[:300], retryable=True)


class OpenAIProvider(Provider):
    name = OPENAI

    def __init__(self, *, api_key: str, base_url: str = "", web_search: bool = False):
        self.client = client_for(api_key, base_url)
        self.web_search = web_search

    def _create(self, options: dict):
        try:
            return self.client.chat.completions.create(**options)
        except openai.OpenAIError as error:
            raise provider_error(error) from error

    @staticmethod
    def _answer(completion):
        choice = completion.choices[0]
        if choice.message.refusal or choice.finish_reason == "content_filter":
            raise AIRefusal(
                choice.message.refusal or "The AI provider filtered the answer.",
                input_tokens=getattr(completion.usage, "prompt_tokens", 0) or 0,
                output_tokens=getattr(completion.usage, "completion_tokens", 0) or 0,
            )
        return choice.message

    def forced_tool_call(self, *, model: str, messages: list[dict], tools: list[dict], tool_choice) -> tuple:
        """One completion that must call one of `tools`; returns the answer message and the completion's usage."""
        completion = self._create({**self._options(model, messages), "tools": tools, "tool_choice": tool_choice})
        return self._answer(completion), completion.usage

    def _options(self, model: str, messages: list[dict], *, json_output: bool = False) -> dict:
        options: dict = {"model": model, "messages": messages}
        if json_output:
            options["response_format"] = {"type": "json_object"}
        if self.web_search:
            options["web_search_options"] = {}
        return options

    def chat(
        self,
        *,
        model: str,
        messages: list[dict],
        json_output: bool = False,
        stream: bool = False,
        on_delta: Callable[[str], None] | None = None,
    ) -> AIResult:
        """One chat completion; streamed when asked (deltas go to `on_delta`), usage taken from the last chunk."""
        options = self._options(model, messages, json_output=json_output)
        started = time.perf_counter()
        if stream:
            try:
                text, usage = self._streamed(options, on_delta)
            except openai.OpenAIError as error:
                raise provider_error(error) from error
        else:
            completion = self._create(options)
            text, usage = self._answer(completion).content or "", completion.usage
        return AIResult(
            value=text,
            provider=OPENAI,
            model=model,
            input_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            output_tokens=getattr(usage, "completion_tokens", 0) or 0,
            seconds=time.perf_counter() - started,
            prompt=_prompt_text(messages),
        )

    def chat_with_tools(self, *, model: str, messages: list[dict], tools: list[dict], run_tool) -> AIResult:
        """A completion in which the model may call `tools` (up to MAX_TOOL_ROUNDS rounds; each call is answered by
        `run_tool(name, arguments)`); the last round offers no tools, so it must answer. Usage is summed."""
        messages = list(messages)
        started, input_tokens, output_tokens, text = time.perf_counter(), 0, 0, ""
        for round_number in range(MAX_TOOL_ROUNDS + 1):
            options = self._options(model, messages)
            if round_number < MAX_TOOL_ROUNDS:
                options["tools"] = tools
            completion = self._create(options)
            input_tokens += getattr(completion.usage, "prompt_tokens", 0) or 0
            output_tokens += getattr(completion.usage, "completion_tokens", 0) or 0
            answer = self._answer(completion)
            if not answer.tool_calls:
                text = answer.content or ""
                break
            messages.append(
                {
                    "role": "assistant",
                    "content": answer.content,
                    "tool_calls": [call.model_dump(include={"id", "type", "function"}) for call in answer.tool_calls],
                }
            )
            for call in answer.tool_calls:
                try:
                    arguments = json.loads(call.function.arguments or "{}")
                except json.JSONDecodeError:
                    arguments = {}
                result = run_tool(call.function.name, arguments if isinstance(arguments, dict) else {})
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
        return AIResult(
            value=text,
            provider=OPENAI,
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            seconds=time.perf_counter() - started,
            prompt=_prompt_text(messages),
        )

    def _streamed(self, options: dict, on_delta):
        parts, refusal, usage = [], [], None
        stream = self.client.chat.completions.create(**options, stream=True, stream_options={"include_usage": True})
        with stream:
            for chunk in stream:
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices:
                    if choice.delta.refusal:
                        refusal.append(choice.delta.refusal)
                    if choice.delta.content:
                        parts.append(choice.delta.content)
                        if on_delta:
                            on_delta(choice.delta.content)
                    if choice.finish_reason == "content_filter":
                        refusal.append("The AI provider filtered the answer.")
        if refusal:
            raise AIRefusal(
                "".join(refusal),
                input_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                output_tokens=getattr(usage, "completion_tokens", 0) or 0,
            )
        return "".join(parts), usage

    def _json(self, *, model: str, messages: list[dict]) -> tuple[dict, AIResult]:
        result = self.chat(model=model, messages=messages, json_output=True)
        try:
            data = json.loads(result.value or "{}")
        except json.JSONDecodeError as error:
            raise AIProviderError("AIInvalidOutput", "The AI answer was not valid JSON.", retryable=True) from error
        if not isinstance(data, dict):
            raise AIProviderError("AIInvalidOutput", "The AI answer was not a JSON object.", retryable=True)
        return data, result

    def spam_check(
        self, *, model: str, sender: str, subject: str, text: str, headers: str = "", context: SpamContext | None = None
    ) -> AIResult:
        messages = prompts.spam_messages(sender=sender, subject=subject, text=text, headers=headers)
        data, result = self._json(model=model, messages=messages)
        score = float(data.get("score") or (1.0 if data.get("isSpam") else 0.0))
        verdict = SpamVerdict(
            is_spam=bool(data.get("isSpam")), score=max(0.0, min(score, 1.0)), reasons=(str(data.get("reason", "")),)
        )
        return replace(result, value=verdict)

    def detect_topics(self, *, model: str, text: str, topics: list[TopicCandidate]) -> AIResult:
        data, result = self._json(model=model, messages=prompts.topic_messages(text=text, topics=topics))
        known = {topic.topic_id for topic in topics}
        chosen = []
        for value in data.get("topicIds") or []:
            topic_id = int(value) if isinstance(value, int | str) and str(value).isdigit() else None
            if topic_id in known and topic_id not in chosen:
                chosen.append(topic_id)
        return replace(result, value=chosen[:3])

    def extract_fields(self, *, model: str, text: str, fields: list[FieldSpec]) -> AIResult:
        data, result = self._json(model=model, messages=prompts.field_messages(text=text, fields=fields))
        names = {field.field_name for field in fields}
        values = {name: value for name, value in data.items() if name in names and value is not None}
        return replace(result, value=values)

    def draft_reply(self, *, model: str, request: ReplyRequest, run_tool=None) -> AIResult:
        if request.tools and run_tool is not None:
            tools = [
                {
                    "type": "function",
                    "function": {"name": tool.name, "description": tool.description, "parameters": tool.parameters},
                }
                for tool in request.tools
            ]
            result = self.chat_with_tools(
                model=model, messages=prompts.reply_messages(request), tools=tools, run_tool=run_tool
            )
        else:
            # Streamed: the read timeout then applies between chunks, so long drafts are not cut off.
            result = self.chat(model=model, messages=prompts.reply_messages(request), stream=True, on_delta=reply_delta)
        text = result.value.strip()
        if request.tools and run_tool is not None:
            reply_delta(text)  # tool rounds are not streamed: the answer arrives whole
        if request.signature:
            text = f"{text}\n\n{request.signature}"
            reply_delta(f"\n\n{request.signature}")
        return replace(result, value=text)

    def summarize(self, *, model: str, text: str, lang: str) -> AIResult:
        result = self.chat(model=model, messages=prompts.summary_messages(text=text, lang=lang))
        return replace(result, value=result.value.strip())

    def translate(self, *, model: str, text: str, target_lang: str) -> AIResult:
        result = self.chat(model=model, messages=prompts.translate_messages(text=text, target_lang=target_lang))
        return replace(result, value=result.value.strip())

    def language_for_location(self, *, model: str, country: str, state: str, city: str) -> AIResult:
        data, result = self._json(
            model=model, messages=prompts.location_messages(country=country, state=state, city=city)
        )
        return replace(result, value=(str(data.get("lang") or "").lower() or None))

    def write_room_report(self, *, model: str, request: RoomReportRequest) -> AIResult:
        result = self.chat(model=model, messages=prompts.room_report_messages(request))
        return replace(result, value=_CODE_FENCE.sub("", result.value).strip())

    def transcribe(self, *, model: str, audio: bytes, filename: str) -> AIResult:
        started = time.perf_counter()
        try:
            transcription = self.client.audio.transcriptions.create(model=model, file=(filename, audio))
        except openai.OpenAIError as error:
            raise provider_error(error) from error
        usage = getattr(transcription, "usage", None)
        seconds = float(getattr(usage, "seconds", 0) or 0) or time.perf_counter() - started
        return AIResult(value=transcription.text, provider=OPENAI, model=model, seconds=seconds)
