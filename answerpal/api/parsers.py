"""Request body parsers that answer hostile JSON with a 400, never a 500.

`json_loads_limited` is the one JSON reader for text a client sends (request bodies, and JSON held in
text fields such as conditional rules or header maps): strict JSON (no NaN/Infinity), nesting at most
`ANSWERPAL_JSON_MAX_DEPTH` deep, no NUL character in any string (PostgreSQL text and jsonb refuse it).
Python's own parser raises RecursionError on deep input; that is caught and reported as `JsonTooDeep`.
"""

import codecs
import json

from django.conf import settings
from rest_framework import parsers, status

from answerpal.api.errors import ApiError

DEFAULT_MAX_DEPTH = 64


class JsonInputError(ValueError):
    """Client JSON that is refused; `code` is the problem+json code (InvalidJson, JsonTooDeep) and
    `reason` the short cause, for callers that phrase their own message."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"Not valid JSON: {reason}." if code == "InvalidJson" else f"{reason}.")
        self.code = code
        self.reason = reason


def json_max_depth() -> int:
    return getattr(settings, "ANSWERPAL_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)


def _refuse_constant(name: str):
    raise JsonInputError("InvalidJson", f"{name} is not a JSON value")


def json_loads_limited(text: str | bytes, *, max_depth: int | None = None):
    """Parse client JSON; raises JsonInputError (a ValueError) for anything refused."""
    limit = json_max_depth() if max_depth is None else max_depth
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise JsonInputError("JsonTooDeep", f"JSON may be nested at most {limit} levels deep") from error
    except UnicodeDecodeError as error:
        raise JsonInputError("InvalidJson", "the text is not valid UTF-8") from error
    except json.JSONDecodeError as error:
        raise JsonInputError("InvalidJson", f"{error.msg} at position {error.pos}") from error
    _check_tree(value, limit)
    return value


def _check_tree(value, limit: int) -> None:
    """Walks the parsed value without recursion: depth limit and NUL characters."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = node
        else:
            if isinstance(node, str) and "\x00" in node:
                raise JsonInputError("InvalidJson", "text may not contain the NUL character (\\u0000)")
            continue
        if depth > limit:
            raise JsonInputError("JsonTooDeep", f"JSON may be nested at most {limit} levels deep")
        stack.extend((child, depth + 1) for child in children)


class LimitedJSONParser(parsers.JSONParser):
    """The API's JSON parser: DRF's, with json_loads_limited's rules and problem+json codes."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        raw = stream.read() if stream is not None else b""
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ApiError(status.HTTP_400_BAD_REQUEST, "InvalidJson", "The JSON body is not valid text.") from error
        try:
            return json_loads_limited(text)
        except JsonInputError as error:
            raise ApiError(status.HTTP_400_BAD_REQUEST, error.code, str(error)) from error


class LimitedJSONPatchParser(LimitedJSONParser):
    """RFC 6902 documents (`application/json-patch+json`) under the same rules."""

    media_type = "application/json-patch+json"
