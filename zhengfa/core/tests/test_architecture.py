"""The shape every module relies on: core knows no domain, apps do not import each other
both ways, and what an app plugs in is registered at start-up, not by accident of import."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "zhengfa"
APPS = sorted(p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists())


def _imports(source: str, app: str, depth: int) -> set[str]:
    """The zhengfa apps that a module of `app` imports (absolute or relative); `depth` is
    how many packages the module lies below the app's own."""
    found: set[str] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: within the app, unless it climbs out of it
                if node.level <= depth + 1:
                    continue
                names = [f"zhengfa.{node.module or ''}"]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "zhengfa" and len(parts) > 1 and parts[1] in APPS and parts[1] != app:
                found.add(parts[1])
    return found


def app_imports() -> dict[str, dict[str, set[str]]]:
    """{app: {imported app: {files}}}, leaving out tests and migrations."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for app in APPS:
        for path in (PACKAGE / app).rglob("*.py"):
            parts = path.relative_to(PACKAGE / app).parts
            if "tests" in parts or "migrations" in parts:
                continue
            for other in _imports(path.read_text(encoding="utf-8"), app, len(parts) - 1):
                graph[app][other].add(str(path.relative_to(ROOT)))
    return graph


def test_the_apps_are_found() -> None:
    assert {"core", "org", "campaign", "study", "portal"} <= set(APPS)


def test_core_imports_no_domain_app() -> None:
    assert dict(app_imports()["core"]) == {}


def test_no_two_apps_import_each_other() -> None:
    graph = {app: dict(imported) for app, imported in app_imports().items()}
    both_ways = sorted(
        (a, b, sorted(graph[a][b] | graph[b][a]))
        for a in graph
        for b in graph[a]
        if a < b and a in graph.get(b, {})
    )
    assert both_ways == []


def test_the_import_test_sees_an_import_it_must_refuse() -> None:
    # The checks above would pass on an empty graph: show that they read real imports.
    assert "org" in app_imports()["campaign"]
    source = "from zhengfa.org.models import Unit\nfrom ..study import views\nfrom . import scope\n"
    assert _imports(source, "core", 0) == {"org", "study"}
    assert _imports("from ...org import models\n", "core", 1) == {"org"}


def test_start_up_registers_every_plugin_and_the_sign_in_receivers() -> None:
    """In a fresh process that never loads the URLs: setup alone must do it all."""
    code = (
        "import django, sys; django.setup();"
        "from django.contrib.auth.signals import user_logged_in;"
        "from zhengfa.core.registry import registry;"
        "assert 'zhengfa.urls' not in sys.modules and 'zhengfa.core.views' not in sys.modules;"
        "receivers = [r[1]() for r in user_logged_in.receivers];"
        "print(sorted(registry.plugins), any(getattr(r, '__module__', '') == "
        "'zhengfa.core.signals' for r in receivers))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "zhengfa.settings", "ZHENGFA_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['campaign', 'core', 'mediation', 'org', 'portal', 'rectify', 'reports', 'service', "
        "'study', 'supervision', 'testapp'] True"
    )


def test_our_scripts_use_no_syntax_older_phones_refuse() -> None:
    """Our own scripts keep to ES2017: a browser before Chrome 80 or iOS 13.4 (old Android
    WebViews, older WeChat builds) refuses a whole file for one "?." or "??", and then no
    public form can be sent (their proof of work and token are made there)."""
    import re

    newer = re.compile(r"\?\.(?!\d)|\?\?|\|\|=|&&=")
    # Strings, template literals and comments are not syntax; regular expressions in our
    # files hold none of these marks.
    literal = re.compile(
        r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`(?:\\.|[^`\\])*`', re.S
    )
    ours = [p for p in (ROOT / "zhengfa").glob("*/static/*/*.js") if not p.name.endswith(".min.js")]
    assert ours
    for path in ours:
        code = literal.sub('""', path.read_text(encoding="utf-8"))
        found = newer.search(code)
        assert found is None, f"{path.name}: {code[found.start() - 40 : found.end() + 20]!r}"
