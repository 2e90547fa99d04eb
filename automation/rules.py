"""Conditional rules of an action: a small JSON language, evaluated without eval().

An action runs only when its `conditionalRules` hold (empty = always). The rules are JSON:

    {"all": [ <rule>, ... ]}     every rule holds          (an empty list holds)
    {"any": [ <rule>, ... ]}     at least one rule holds   (an empty list does not)
    {"not": <rule>}              the rule does not hold
    {"field": "<path>", "op": "<operator>", "value": <json value>}

A bare list `[ <rule>, ... ]` means {"all": [...]}.

Paths read the same context as document placeholders (documents.placeholders):
`message.subject`, `message.text`, `message.from`, `message.lang`, `message.incoming`,
`ticket.status`, `ticket.channelType`, `ticket.isSpam`, `endUser.company`, `endUser.lang`,
`customFields.<name>`, `channel.type`, … (keys match case-insensitively).

Operators: equals, notEquals, contains, notContains, startsWith, endsWith (text, case-insensitive),
in, notIn (value is a list), greaterThan, greaterOrEqual, lessThan, lessOrEqual (numbers),
isEmpty, isNotEmpty (no value), matches (a regular expression, case-insensitive; max 200 chars).

Example: {"all": [{"field": "ticket.channelType", "op": "equals", "value": "Email"},
                  {"any": [{"field": "message.subject", "op": "contains", "value": "invoice"},
                           {"field": "customFields.orderNumber", "op": "isNotEmpty"}]}]}
"""

import re

from answerpal.api.parsers import JsonInputError, json_loads_limited
from documents.placeholders import MISSING, lookup_path

MAX_DEPTH = 10
MAX_PATTERN = 200

_TEXT_OPS = {"equals", "notEquals", "contains", "notContains", "startsWith", "endsWith", "matches"}
_LIST_OPS = {"in", "notIn"}
_NUMBER_OPS = {"greaterThan", "greaterOrEqual", "lessThan", "lessOrEqual"}
_UNARY_OPS = {"isEmpty", "isNotEmpty"}
OPERATORS = _TEXT_OPS | _LIST_OPS | _NUMBER_OPS | _UNARY_OPS


class RuleError(ValueError):
    """The rules text is not valid in the language above; the message points at the problem."""


def parse_rules(text: str | None):
    """The parsed, validated rule tree (None when empty); raises RuleError."""
    if not text or not text.strip():
        return None
    try:
        tree = json_loads_limited(text)
    except JsonInputError as error:
        raise RuleError(f"Conditional rules must be JSON ({error.reason}).") from error
    if isinstance(tree, list):
        tree = {"all": tree}
    _check(tree, depth=0)
    return tree


def _check(node, *, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise RuleError(f"Rules nest deeper than {MAX_DEPTH} levels.")
    if not isinstance(node, dict):
        raise RuleError("Each rule must be an object with all/any/not or field/op.")
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        if not isinstance(node[key], list):
            raise RuleError(f'"{key}" must be a list of rules.')
        for child in node[key]:
            _check(child, depth=depth + 1)
        return
    if "not" in node:
        _check(node["not"], depth=depth + 1)
        return
    field, op = node.get("field"), node.get("op")
    if not isinstance(field, str) or not field:
        raise RuleError('A rule needs a "field" path such as "message.subject".')
    if op not in OPERATORS:
        raise RuleError(f"Unknown operator {op!r}; use one of: {', '.join(sorted(OPERATORS))}.")
    if op in _UNARY_OPS:
        return
    if "value" not in node:
        raise RuleError(f'The operator "{op}" needs a "value".')
    value = node["value"]
    if op in _LIST_OPS and not isinstance(value, list):
        raise RuleError(f'The operator "{op}" needs a list value.')
    if op in _NUMBER_OPS and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise RuleError(f'The operator "{op}" needs a number value.')
    if op == "matches":
        if not isinstance(value, str) or len(value) > MAX_PATTERN:
            raise RuleError(f'"matches" needs a regular expression of at most {MAX_PATTERN} characters.')
        try:
            re.compile(value)
        except re.error as error:
            raise RuleError(f"Invalid regular expression: {error}.") from error


def _text(value) -> str:
    if value is None or value is MISSING:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None or value is MISSING:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(op: str, actual, expected) -> bool:
    if op == "isEmpty":
        return actual in (None, MISSING, "", [], {})
    if op == "isNotEmpty":
        return actual not in (None, MISSING, "", [], {})
    if op in _NUMBER_OPS:
        left = _number(actual)
        if left is None:
            return False
        return {
            "greaterThan": left > expected,
            "greaterOrEqual": left >= expected,
            "lessThan": left < expected,
            "lessOrEqual": left <= expected,
        }[op]
    left = _text(actual).lower()
    if op in _LIST_OPS:
        found = left in {_text(item).lower() for item in expected}
        return found if op == "in" else not found
    right = _text(expected).lower()
    if op == "matches":
        return re.search(expected, _text(actual), flags=re.IGNORECASE) is not None
    return {
        "equals": left == right,
        "notEquals": left != right,
        "contains": right in left,
        "notContains": right not in left,
        "startsWith": left.startswith(right),
        "endsWith": left.endswith(right),
    }[op]


def evaluate(tree, context: dict) -> bool:
    """Whether the parsed rule tree holds for `context` (None holds)."""
    if tree is None:
        return True
    if "all" in tree:
        return all(evaluate(child, context) for child in tree["all"])
    if "any" in tree:
        return any(evaluate(child, context) for child in tree["any"])
    if "not" in tree:
        return not evaluate(tree["not"], context)
    return _compare(tree["op"], lookup_path(context, tree["field"]), tree.get("value"))
