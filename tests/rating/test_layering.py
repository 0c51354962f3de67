"""The rating engine stays pure: no imports of the service's other layers, the web or the database."""

import ast
import dataclasses
import inspect
from pathlib import Path

import rating
from rating import errors

RATING_DIR = Path(rating.__file__).parent
FORBIDDEN = {"billing", "ledgers", "invoices", "flask", "sqlalchemy", "alembic", "stripe", "psycopg"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_rating_imports_no_other_layer() -> None:
    modules = sorted(RATING_DIR.glob("*.py"))
    assert modules
    for module in modules:
        assert not imported_roots(module) & FORBIDDEN, module.name


def test_values_are_frozen_slotted_dataclasses() -> None:
    for name in ("Tariff", "Quote", "RateCap", "FacilityProfile"):
        cls = getattr(rating, name)
        params = cls.__dataclass_params__
        assert dataclasses.is_dataclass(cls) and params.frozen, name
        assert "__slots__" in cls.__dict__, name


def test_one_exception_tree_with_codes_and_docstrings() -> None:
    expected = {
        "InvalidNumber": "INVALID_NUMBER",
        "InvalidTariff": "INVALID_TARIFF",
        "RateCapExceeded": "RATE_CAP_EXCEEDED",
        "NoTariff": "NO_TARIFF",
    }
    for name, code in expected.items():
        cls = getattr(errors, name)
        assert issubclass(cls, errors.RatingError) and cls.code == code
        assert inspect.getdoc(cls)
    error = errors.NoTariff("no tariff")
    assert (error.message, str(error)) == ("no tariff", "no tariff")


def test_public_names_are_exported() -> None:
    for name in rating.__all__:
        assert hasattr(rating, name), name
