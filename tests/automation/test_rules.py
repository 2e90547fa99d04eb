"""The conditional-rules language: validation errors and every operator, never eval()."""

import json

import pytest

from automation.rules import RuleError, evaluate, parse_rules

CONTEXT = {
    "message": {"subject": "Invoice 2024-17", "incoming": True, "lang": "nl"},
    "ticket": {"channelType": "Email", "status": "Open"},
    "endUser": {"company": ""},
    "customFields": {"amount": "250.5", "tags": ["vip"], "orderNumber": "A-1"},
}


@pytest.mark.parametrize(
    "rule, expected",
    [
        ({"field": "message.subject", "op": "contains", "value": "INVOICE"}, True),
        ({"field": "message.subject", "op": "notContains", "value": "refund"}, True),
        ({"field": "message.subject", "op": "startsWith", "value": "inv"}, True),
        ({"field": "message.subject", "op": "endsWith", "value": "-17"}, True),
        ({"field": "ticket.channeltype", "op": "equals", "value": "email"}, True),
        ({"field": "ticket.status", "op": "notEquals", "value": "Open"}, False),
        ({"field": "message.lang", "op": "in", "value": ["nl", "fr"]}, True),
        ({"field": "message.lang", "op": "notIn", "value": ["nl"]}, False),
        ({"field": "customFields.amount", "op": "greaterThan", "value": 200}, True),
        ({"field": "customFields.amount", "op": "lessOrEqual", "value": 250.5}, True),
        ({"field": "customFields.amount", "op": "lessThan", "value": 100}, False),
        ({"field": "customFields.orderNumber", "op": "greaterOrEqual", "value": 1}, False),
        ({"field": "endUser.company", "op": "isEmpty"}, True),
        ({"field": "customFields.unknown", "op": "isEmpty"}, True),
        ({"field": "customFields.tags", "op": "isNotEmpty"}, True),
        ({"field": "message.incoming", "op": "equals", "value": True}, True),
        ({"field": "message.subject", "op": "matches", "value": r"\d{4}-\d+"}, True),
        ({"not": {"field": "message.lang", "op": "equals", "value": "nl"}}, False),
        ({"any": [{"field": "message.lang", "op": "equals", "value": "fr"}, {"all": []}]}, True),
        ({"any": []}, False),
        (
            [{"field": "message.lang", "op": "equals", "value": "nl"}, {"field": "ticket.status", "op": "isNotEmpty"}],
            True,
        ),
    ],
)
def test_operators(rule, expected):
    assert evaluate(parse_rules(json.dumps(rule)), CONTEXT) is expected


def test_empty_rules_always_hold():
    assert parse_rules("") is None and parse_rules("   ") is None
    assert evaluate(None, CONTEXT) is True


@pytest.mark.parametrize(
    "text, message",
    [
        ("__import__('os')", "must be JSON"),
        ('"text"', "must be an object"),
        ('{"field": "", "op": "equals", "value": 1}', "field"),
        ('{"field": "a", "op": "exec", "value": 1}', "Unknown operator"),
        ('{"field": "a", "op": "equals"}', 'needs a "value"'),
        ('{"field": "a", "op": "in", "value": "x"}', "list value"),
        ('{"field": "a", "op": "greaterThan", "value": "5"}', "number value"),
        ('{"field": "a", "op": "matches", "value": "("}', "Invalid regular expression"),
        ('{"all": {"field": "a"}}', "must be a list"),
        ('{"not": ' * 12 + '{"field": "a", "op": "isEmpty"}' + "}" * 12, "nest deeper"),
    ],
)
def test_invalid_rules_are_explained(text, message):
    with pytest.raises(RuleError, match=message):
        parse_rules(text)
