"""The outbound-call definition shared by data-retrieval documents and ApiCall actions: shape rules only.

* `apiHeaders`: a JSON object of header name → template text, e.g. `{"X-Order": "{{customFields.order}}"}`.
* `fieldMapping` / `responseFieldMapping`: a JSON list of `{"source": "...", "target": "..."}`. For a
  response mapping `source` is a dotted path into the JSON response (`data.items.0.status`) and
  `target` a custom field name written to the message's customFieldsData.
* `apiEndpoint`: an absolute http(s) URL, or a path joined to the base URL (override or customer default).
"""

from urllib.parse import urlsplit

from answerpal.api.parsers import JsonInputError, json_loads_limited


class DefinitionError(ValueError):
    """A definition field is malformed; the message says how to fix it."""


def parse_headers(text: str | None) -> dict[str, str]:
    if not text or not text.strip():
        return {}
    try:
        value = json_loads_limited(text)
    except JsonInputError as error:
        raise DefinitionError(f"Must be a JSON object of header names to values ({error.reason}).") from error
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise DefinitionError('Must be a JSON object of header names to text values, e.g. {"X-Key": "value"}.')
    return value


def parse_field_mapping(text: str | None) -> list[dict[str, str]]:
    if not text or not text.strip():
        return []
    try:
        value = json_loads_limited(text)
    except JsonInputError as error:
        raise DefinitionError(f"Must be a JSON list of {{source, target}} objects ({error.reason}).") from error
    if not isinstance(value, list):
        raise DefinitionError("Must be a JSON list of {source, target} objects.")
    for item in value:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("source"), str)
            and item["source"]
            and isinstance(item.get("target"), str)
            and item["target"]
        ):
            raise DefinitionError('Each mapping needs non-empty "source" and "target" texts.')
    return [{"source": item["source"], "target": item["target"]} for item in value]


def check_endpoint(endpoint: str | None) -> None:
    if not endpoint:
        return
    if "://" in endpoint.split("{{", 1)[0]:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise DefinitionError("Use an http(s) URL or a path relative to the API base URL.")
