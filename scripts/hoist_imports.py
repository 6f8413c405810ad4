"""Move imports that sit inside functions to the top of their module (a dev helper).

Usage: .venv/bin/python scripts/hoist_imports.py guanxi/some/module.py ...

Moves imports of guanxi, Django and the standard library; leaves third-party libraries
where they are (a heavy one such as xhtml2pdf or openpyxl stays loaded on first use, not
in every web process). Leaves alone: imports in an ``AppConfig.ready`` (models may not be imported when the app
module loads), imports under ``if TYPE_CHECKING`` and imports whose line carries a comment
(the reason it must stay, e.g. ``# inner import: cycle …``). Run ruff --fix afterwards to
sort the block, then import every module to find true cycles.
"""

import ast
import sys
from pathlib import Path


def movable(node):
    if isinstance(node, ast.ImportFrom) and node.level:
        return True
    module = (node.module if isinstance(node, ast.ImportFrom) else node.names[0].name) or ""
    top = module.split(".")[0]
    return top in ("guanxi", "django") or top in sys.stdlib_module_names


def inner_imports(tree):
    found = []

    def visit(node, in_function, in_ready):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, True, in_ready or child.name == "ready")
            elif isinstance(child, (ast.Import, ast.ImportFrom)) and in_function and not in_ready:
                if movable(child):
                    found.append(child)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            else:
                visit(child, in_function, in_ready)

    visit(tree, False, False)
    return found


def top_insert_line(tree):
    last = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            last = node.end_lineno
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and last == 0:
            last = node.end_lineno  # after the docstring
        elif last:
            break
    return last


def hoist(path):
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    moved, drop = [], set()
    for node in inner_imports(tree):
        text = "".join(lines[node.lineno - 1:node.end_lineno])
        if "#" in text:
            continue  # a reason is given: it stays
        statement = ast.unparse(node)
        if statement not in moved:
            moved.append(statement)
        drop.update(range(node.lineno - 1, node.end_lineno))
    if not moved:
        return 0
    at = top_insert_line(tree)
    out = []
    for index, line in enumerate(lines):
        if index in drop:
            continue
        # an import line removed right before a blank line leaves that blank line behind
        if line.strip() == "" and index - 1 in drop and (not out or out[-1].strip() == "" or out[-1].rstrip().endswith(":")):
            continue
        out.append(line)
        if index == at - 1:
            out.append("".join(m + "\n" for m in moved))
    if at == 0:
        out.insert(0, "".join(m + "\n" for m in moved))
    path.write_text("".join(out))
    return len(moved)


if __name__ == "__main__":
    total = sum(hoist(Path(p)) for p in sys.argv[1:])
    print(f"hoisted {total} imports")
