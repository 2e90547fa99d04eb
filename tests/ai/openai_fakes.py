"""Bodies an OpenAI-compatible server answers, for respx routes (plain and server-sent-event streams)."""

import json

BASE_URL = "http://llm.test/v1"
CHAT_URL = f"{BASE_URL}/chat/completions"


def completion(content: str | None, *, prompt_tokens=11, completion_tokens=7, refusal=None, finish_reason="stop"):
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-test",
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def json_completion(data: dict, **kwargs):
    return completion(json.dumps(data), **kwargs)


def stream_body(parts: list[str], *, prompt_tokens=20, completion_tokens=9, refusal: str | None = None) -> bytes:
    """An SSE body: one chunk per part, a final chunk with finish_reason, a usage chunk, then [DONE]."""

    def chunk(delta: dict, finish_reason=None, usage=None, choices=True):
        return {
            "id": "chatcmpl-stream",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": "gpt-test",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}] if choices else [],
            "usage": usage,
        }

    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": part}) for part in parts]
    if refusal:
        events.append(chunk({"refusal": refusal}))
    events.append(chunk({}, finish_reason="stop"))
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    events.append(chunk({}, usage=usage, choices=False))
    lines = [f"data: {json.dumps(event)}\n\n" for event in events] + ["data: [DONE]\n\n"]
    return "".join(lines).encode()
