"""Request body parsers that answer hostile JSON with a 400, never a 500.

`json_loads_limited` is the one JSON reader for text a client sends (request bodies, and JSON held in
text fields such as conditional rules or header maps): strict JSON (no NaN/Infinity), nesting at most
`ANSWERPAL_JSON_MAX_DEPTH` deep, no NUL character in any string (PostgreSQL text and jsonb refuse it).
Python's own parser raises RecursionError on deep input; that is caught and reported as `JsonTooDeep`.
"""

import codecs
import json
import math

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


def _finite_float(text: str) -> float:
    """1e999 parses to infinity, which no JSON column stores (PostgreSQL refuses it): refused like NaN."""
    value = float(text)
    if math.isinf(value):
        raise JsonInputError("InvalidJson", f"{text} is out of range for a JSON number")
    return value


def json_loads_limited(text: str | bytes, *, max_depth: int | None = None):
    """Parse client JSON; raises JsonInputError (a ValueError) for anything refused."""
    limit = json_max_depth() if max_depth is None else max_depth
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as error:
        raise JsonInputError("JsonTooDeep", f"JSON may be nested at most {limit} levels deep") from error
    except UnicodeDecodeError as error:
        raise JsonInputError("InvalidJson", "the text is not valid UTF-8") from error
    except json.JSONDecodeError as error:
        raise JsonInputError("InvalidJson", f"{error.msg} at position {error.pos}") from error
    except JsonInputError:
        raise
    except ValueError as error:  # an integer longer than Python converts (4300 digits)
        raise JsonInputError("InvalidJson", "a number in the JSON is too long") from error
    _check_tree(value, limit)
    return value


def _check_tree(value, limit: int) -> None:
    """Walks the parsed value without recursion: the depth limit, and text PostgreSQL can store."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = [*node.values()]
            for key in node:
                _text_check(key)
        elif isinstance(node, list):
            children = node
        else:
            if isinstance(node, str):
                _text_check(node)
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


def _text_check(text: str) -> None:
    """NUL and lone surrogates ("\\ud800") parse in Python but PostgreSQL refuses them in text and jsonb."""
    if "\x00" in text:
        raise JsonInputError("InvalidJson", "text may not contain the NUL character (\\u0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise JsonInputError("InvalidJson", "text may not contain a lone surrogate (\\ud800-\\udfff)") from error
