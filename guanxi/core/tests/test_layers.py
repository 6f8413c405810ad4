"""The layers of docs/architecture.md are a contract the build checks (import-linter, with
imports inside functions counted), and an import inside a function says why it is there."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "guanxi"
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd):
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=120)


def test_the_layers_hold():
    """No module imports a module of a higher layer, or a sibling, at load time or inside
    a function."""
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_forbidden_import_breaks_the_build(tmp_path):
    """core importing a domain inside a function (the shortcut the layers forbid) makes the
    linter fail, naming the import."""
    shutil.copytree(PACKAGE, tmp_path / "guanxi", ignore=shutil.ignore_patterns("*.pyc", "__pycache__", "locale",
                                                                                   "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    money = tmp_path / "guanxi" / "core" / "money.py"
    money.write_text(money.read_text() + "\n\ndef shortcut():\n    from guanxi.sales.models import Order\n\n"
                     "    return Order\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "guanxi.core.money -> guanxi.sales.models" in result.stdout


def _inner_imports(path):
    """(line, statement) of the imports of guanxi modules inside functions, except in
    ``AppConfig.ready`` (where Django wants them) and under TYPE_CHECKING."""
    source = path.read_text()
    lines = source.splitlines()
    found = []

    def visit(node, in_function, in_ready):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, True, in_ready or child.name == "ready")
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                module = child.module if isinstance(child, ast.ImportFrom) else child.names[0].name
                ours = (isinstance(child, ast.ImportFrom) and child.level) or (module or "").startswith("guanxi")
                if in_function and not in_ready and ours:
                    found.append((child.lineno, "\n".join(lines[max(child.lineno - 2, 0):child.end_lineno])))
            elif not (isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)):
                visit(child, in_function, in_ready)

    visit(ast.parse(source), False, False)
    return found


def test_imports_inside_functions_say_why():
    """An import inside a function hides a dependency from the reader: it is allowed only
    for a true cycle at load time (``# cycle: …``) or for code that must not run before
    something else has happened (``# load: …``), with the reason on the line or the one above."""
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or "tests" in parts or parts[0] == "settings":
            continue
        for line, statement in _inner_imports(path):
            if "# cycle:" not in statement and "# load:" not in statement:
                unexplained.append(f"{path.relative_to(ROOT)}:{line}: {statement.strip()}")
    assert not unexplained, f"{len(unexplained)} imports inside functions without a reason:\n" + "\n".join(
        unexplained)


def test_a_web_process_starts_warm():
    """Issue 15.3 (no cold starts): importing the WSGI application builds the pinyin
    syllable table, so a fresh worker's first pinyin search costs what the hundredth does."""
    code = ("import time; import guanxi.wsgi; from guanxi.customers import pinyin; "
            "print(pinyin.syllables.cache_info().currsize); t = time.perf_counter(); "
            "pinyin.segmentations('guangzhouhuada'); print(time.perf_counter() - t)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings.test", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,  # noqa: S603
                            env=env, cwd=ROOT)
    built, first_search = result.stdout.split()[-2:]
    assert built == "1", result.stderr
    assert float(first_search) < 0.05
