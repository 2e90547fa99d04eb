"""Apps import only from lower floors (DESIGN.md), so there are no cycles between apps."""

import ast
from pathlib import Path

FLOORS = {
    "answerpal": 1,
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
}
ROOT = Path(__file__).resolve().parent.parent.parent


def _imported_apps(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
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
            for imported, line in _imported_apps(path):
                if imported != app and FLOORS[imported] >= floor:
                    violations.append(f"{path.relative_to(ROOT)}:{line} imports {imported} (floor {FLOORS[imported]})")
    assert not violations, "\n".join(violations)
