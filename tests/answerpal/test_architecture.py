"""Apps import only from lower floors (DESIGN.md), so there are no cycles between apps.

`apps.get_model("billing", ...)` (or `django.apps.apps.get_model("billing.Plan")`) with a literal app label
reaches that app as surely as an import, so the checker counts it as one; migrations stay exempt."""

import ast
from pathlib import Path

from django.conf import settings

FLOORS = {
    "answerpal": 1,
    # The audit trail stands on the kernel and below every app that records into it.
    "audit": 1.5,
    "customers": 2,
    "billing": 3,
    "channels_cfg": 3,
    "accounts": 4,
    "tickets": 5,
    "documents": 5,
    "automation": 6,
    "messaging": 7,
    "ai": 8,
    "voice": 9,
    "places": 9,
    "webwidget": 9,
    "privacy": 10,
    "webhooks": 10,
}
ROOT = Path(__file__).resolve().parent.parent.parent


def _registry_names(tree: ast.AST) -> set[str]:
    """The names this module binds to django.apps.apps (`from django.apps import apps [as x]`)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.apps"
        for alias in node.names
        if alias.name == "apps"
    }


def _is_registry(node: ast.expr, registry_names: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in registry_names
    return ast.unparse(node) == "django.apps.apps"


def _model_label(node: ast.Call, registry_names: set[str]) -> str | None:
    """The app label of `<registry>.get_model("label", "Model")` or `("label.Model")` when it is a literal."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "get_model" and _is_registry(func.value, registry_names)):
        return None
    if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
        return None
    return node.args[0].value.split(".")[0]


def imported_apps(source: str, filename: str = "<string>"):
    """(app, line) for every import of an app, and every get_model of an app by literal label."""
    tree = ast.parse(source, filename=filename)
    registry_names = _registry_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and (label := _model_label(node, registry_names)):
            names = [label]
        elif isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "get_user_model":
            names = [settings.AUTH_USER_MODEL]  # the representatives' app, however it is reached
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in FLOORS:
                yield top, node.lineno


def test_imports_run_downward_only():
    violations = []
    for app, floor in FLOORS.items():
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or (app == "answerpal" and path.name == "urls.py"):
                continue
            for imported, line in imported_apps(path.read_text(), filename=str(path)):
                if imported != app and FLOORS[imported] >= floor:
                    violations.append(f"{path.relative_to(ROOT)}:{line} imports {imported} (floor {FLOORS[imported]})")
    assert not violations, "\n".join(violations)


def test_the_checker_counts_get_model_by_literal_label_as_an_import():
    source = """
import django.apps
from django.apps import apps
from django.apps import apps as registry
from tickets import services

apps.get_model("billing", "CustomerSubscription")
registry.get_model("voice.PhoneCall")
django.apps.apps.get_model("ai", "MessagePipeline")
apps.get_model(label, "Dynamic")
other.get_model("places", "Room")
serializer.get_models("documents")
get_user_model()
"""
    assert set(imported_apps(source)) == {("tickets", 5), ("billing", 7), ("voice", 8), ("ai", 9), ("accounts", 13)}
