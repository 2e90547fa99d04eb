"""A stand-in OpenAI-compatible server for the AI benchmark: answers every chat completion after a fixed delay
(default 500 ms), JSON or streamed, like a slow real model. Not for production.

    python bench/ai/standin_openai.py --port 8765 --delay 0.5
"""

import argparse
import asyncio
import json
import time

from aiohttp import web


def _json_answer(system: str) -> dict:
    if "screen inbound" in system:
        return {"isSpam": False, "score": 0.03, "reason": "a customer question"}
    if "Classify" in system:
        topics = json.loads(system.split("Topics:\n", 1)[1])
        return {"topicIds": [topics[0]["id"]] if topics else []}
    return {}


def _chunk(delta: dict, finish_reason=None, usage=None) -> bytes:
    body = {
        "id": "chatcmpl-standin",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "standin",
        "choices": [] if usage else [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        "usage": usage,
    }
    return f"data: {json.dumps(body)}\n\n".encode()


async def chat_completions(request: web.Request) -> web.StreamResponse:
    body = await request.json()
    await asyncio.sleep(request.app["delay"])
    request.app["served"] += 1
    usage = {"prompt_tokens": 350, "completion_tokens": 60, "total_tokens": 410}
    if body.get("stream"):
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for part in ("Thank you for your message. ", "We are open from 9 to 18 ", "on weekdays."):
            await response.write(_chunk({"content": part}))
        await response.write(_chunk({}, finish_reason="stop"))
        await response.write(_chunk({}, usage=usage))
        await response.write(b"data: [DONE]\n\n")
        return response
    system = body["messages"][0]["content"] if body.get("messages") else ""
    content = json.dumps(_json_answer(system)) if body.get("response_format") else "OK"
    return web.json_response(
        {
            "id": "chatcmpl-standin",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "standin"),
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": usage,
        }
    )


async def stats(request: web.Request) -> web.Response:
    return web.json_response({"served": request.app["served"]})


def make_app(delay: float) -> web.Application:
    app = web.Application()
    app["delay"], app["served"] = delay, 0
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_get("/stats", stats)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--delay", type=float, default=0.5)
    arguments = parser.parse_args()
    web.run_app(make_app(arguments.delay), host="127.0.0.1", port=arguments.port, print=None, backlog=1024)
