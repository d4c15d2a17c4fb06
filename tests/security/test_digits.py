"""Ids, counts and numbers are read from ASCII digits only, in every module of tallybot.

``\\d`` in a regular expression, ``str.isdigit()`` and ``int()`` all accept other scripts'
digits ("١", "٣", "¹"): ``POST /api/sessions/%D9%A1/close`` once closed session 1. These
tests read the source, so that a new pattern or check cannot bring that back.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "tallybot"
SOURCES = sorted(PACKAGE.rglob("*.py"))
DIGIT_CHECKS = {"isdigit", "isdecimal", "isnumeric"}


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_no_regular_expression_takes_every_scripts_digits(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    patterns = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\\d" in node.value
    ]
    assert patterns == [], "write [0-9]: \\d matches digits of every script"


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_every_digit_check_also_checks_for_ascii(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            checks = [value for value in node.values if isinstance(value, ast.Call)]
            ascii_of = {_receiver(check) for check in checks if _method(check) == "isascii"}
            guarded |= {
                id(check) for check in checks if _method(check) in DIGIT_CHECKS and _receiver(check) in ascii_of
            }
    unguarded = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _method(node) in DIGIT_CHECKS and id(node) not in guarded
    ]
    assert unguarded == [], "pair each digit check with .isascii() on the same text"


def _method(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _receiver(call: ast.Call) -> str | None:
    """The text a method is called on, as a comparable string."""
    return ast.dump(call.func.value) if isinstance(call.func, ast.Attribute) else None
