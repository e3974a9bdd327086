"""Views never query (DESIGN.md, "Layout"): every read that is more than a get lives in the
app's selectors.py with its joins, so a page's query count can be read (and fixed) in one
place. Checked on the source, with ast, for every views module of teams, oncall,
notifications and accounts (views.py, views_*.py and views/*.py):

- no `.objects` (a manager: the start of a query);
- no query expressions imported (Q, F, Prefetch, Count and the like), nor django.db.models
  or django.db.connection as a whole;
- get_object_or_404 / get_list_or_404 only as a simple get on a model class, never on a
  queryset built in the view.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "teams", "oncall", "notifications", "accounts", "projects", "escalations", "chat", "handoffs",
)  # fmt: skip

# Names whose import means building a query (django.db.models and its submodules).
QUERY_NAMES = frozenset(
    {
        "Q", "F", "Prefetch", "Count", "Sum", "Min", "Max", "Avg", "Exists", "OuterRef",
        "Subquery", "Value", "Case", "When", "Func", "RawSQL", "Window",
    }
)  # fmt: skip
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404"})

# Views modules (relative to the repository) allowed an offence, each with the reason. None
# today: teams', notifications' and accounts' last queries moved to their selectors.
ALLOWED: dict[str, frozenset[str]] = {}


def views_modules() -> list[Path]:
    found: list[Path] = []
    for app in APPS:
        base = ROOT / app
        found += sorted(base.glob("views.py")) + sorted(base.glob("views_*.py"))
        found += sorted((base / "views").glob("*.py"))
    return found


def offences(source: str) -> list[str]:
    """What in `source` (a views module) queries, as 'line N: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"line {node.lineno}: .objects")
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            for alias in node.names:
                if module.startswith("django.db.models") and alias.name in QUERY_NAMES:
                    found.append(f"line {node.lineno}: imports {alias.name}")
                elif module == "django.db" and alias.name in ("models", "connection"):
                    found.append(f"line {node.lineno}: imports django.db.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("django.db"):
                    found.append(f"line {node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in SHORTCUTS and not isinstance(node.args[0], ast.Name):
                found.append(f"line {node.lineno}: {name} on a queryset")
    return found


def test_every_views_module_is_found():
    names = {str(path.relative_to(ROOT)) for path in views_modules()}
    assert {"teams/views.py", "notifications/views.py", "accounts/views.py"} <= names
    assert "oncall/views/schedules.py" in names  # the package, not a views.py


@pytest.mark.parametrize("path", views_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_views_do_not_query(path: Path):
    relative = str(path.relative_to(ROOT))
    found = offences(path.read_text(encoding="utf-8"))
    allowed = ALLOWED.get(relative, frozenset())
    unexpected = [o for o in found if o.split(": ", 1)[1] not in allowed]
    assert not unexpected, f"{relative} queries; move the read to selectors.py: {unexpected}"


def test_the_check_catches_what_it_should():
    source = """
from django.db.models import Count, Q
from django.db import connection
from django.shortcuts import get_object_or_404

def view(request, pk):
    team = get_object_or_404(Team, pk=pk)  # a simple get: allowed
    item = get_object_or_404(Team.objects.select_related("parent"), pk=pk)
    return team.children.annotate(n=Count("x")).filter(Q(a=1))
"""
    assert sorted(offences(source)) == [
        "line 2: imports Count",
        "line 2: imports Q",
        "line 3: imports django.db.connection",
        "line 8: .objects",
        "line 8: get_object_or_404 on a queryset",
    ]
