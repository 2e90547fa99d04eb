"""Reading a Server-Sent Events body in tests."""

import json


def sse_events(raw: bytes) -> list[tuple[str, dict]]:
    """(event, data) pairs of an SSE body; comments and the retry line are left out."""
    found = []
    for block in raw.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found
