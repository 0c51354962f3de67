"""The import-layer check: each package may import only what lies below it.

    billing  → invoices, ledgers, rating
    invoices → ledgers, rating          (never Flask or billing)
    ledgers  → rating.money             (never billing, invoices or Flask)
    rating   → nothing of ours          (and no Flask or SQLAlchemy: pure values)

Exits non-zero and lists every offending import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "rating": ("billing", "ledgers", "invoices", "flask", "sqlalchemy", "stripe", "werkzeug"),
    "ledgers": ("billing", "invoices", "flask", "stripe", "werkzeug", "rating.tariffs", "rating.quote"),
    "invoices": ("billing", "flask", "stripe", "werkzeug"),
}


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations() -> list[str]:
    problems = []
    for package, banned in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, module in imports_of(path):
                if any(module == b or module.startswith(b + ".") for b in banned):
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {package} must not import {module}")
    return problems


def main() -> int:
    problems = violations()
    for problem in problems:
        print(problem)
    print(f"import layers: {'violations: ' + str(len(problems)) if problems else 'clean'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
