"""Applicability conditions written as data, evaluated without ``eval``.

A condition is a mapping: ``{field: PATH, OP: VALUE}`` with one operator, or ``{all: [...]}``,
``{any: [...]}``, ``{not: cond}``. See docs/clause-library.md.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from contracts import vocabulary
from contracts.answers import Answers

COMPARISONS = ("is", "in", "not_in", "gte", "gt", "lte", "lt", "empty")


class ConditionError(ValueError):
    """A condition that is not well formed."""


def _plain(value: Any) -> Any:
    return value.model_dump() if isinstance(value, BaseModel) else value


def evaluate(cond: dict | None, answers: Answers) -> bool:
    if cond is None:
        return True
    if "all" in cond:
        return all(evaluate(c, answers) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, answers) for c in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], answers)
    value = _plain(lookup(cond["field"], answers))
    op, expected = _operator(cond)
    if op == "is":
        return value == expected
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    if op == "empty":
        return (not value) == bool(expected)
    if value is None:
        return False
    if op == "gte":
        return value >= expected
    if op == "gt":
        return value > expected
    if op == "lte":
        return value <= expected
    return value < expected  # lt


def lookup(path: str, answers: Answers):
    """An answers value, or a deal fact for ``facts.<name>`` (see contracts/facts.py)."""
    if path.startswith("facts."):
        from contracts import facts

        return getattr(facts.of(answers), path.split(".", 1)[1])
    return vocabulary.value(answers, path)


def fact_exists(path: str) -> bool:
    from contracts.facts import Facts

    name = path.split(".", 1)[1] if "." in path else ""
    return name in Facts.__dataclass_fields__ or isinstance(getattr(Facts, name, None), property)


def _operator(cond: dict) -> tuple[str, Any]:
    ops = [k for k in cond if k != "field"]
    return ops[0], cond[ops[0]]


def problems(cond: Any, where: str) -> list[str]:
    """Everything wrong with a condition, checked against the answers model's field paths."""
    if cond is None:
        return []
    if not isinstance(cond, dict) or len(cond) == 0:
        return [f"{where}: a condition must be a mapping"]
    for group in ("all", "any"):
        if group in cond:
            if len(cond) != 1 or not isinstance(cond[group], list) or not cond[group]:
                return [f"{where}: '{group}' takes a non-empty list and nothing else"]
            return [p for i, c in enumerate(cond[group]) for p in problems(c, f"{where}.{group}[{i}]")]
    if "not" in cond:
        if len(cond) != 1:
            return [f"{where}: 'not' takes one condition and nothing else"]
        return problems(cond["not"], f"{where}.not")
    if "field" not in cond:
        return [f"{where}: needs 'field' (or all/any/not)"]
    ops = [k for k in cond if k != "field"]
    if len(ops) != 1 or ops[0] not in COMPARISONS:
        return [f"{where}: needs exactly one operator of {', '.join(COMPARISONS)}; got {ops}"]
    if ops[0] in ("in", "not_in") and not isinstance(cond[ops[0]], list):
        return [f"{where}: '{ops[0]}' takes a list"]
    if cond["field"].startswith("facts."):
        if not fact_exists(cond["field"]):
            return [f"{where}: fact '{cond['field']}' does not exist (see contracts/facts.py)"]
    elif not field_exists(cond["field"]):
        return [f"{where}: answers field '{cond['field']}' does not exist"]
    return []


def field_exists(path: str) -> bool:
    """True if the dotted path names a field of the answers model (through optional sections)."""
    return vocabulary.exists(path)


def fields_used(cond: Any) -> list[str]:
    if not isinstance(cond, dict):
        return []
    out = [cond["field"]] if "field" in cond else []
    for key in ("all", "any"):
        for c in cond.get(key, []) or []:
            out += fields_used(c)
    if "not" in cond:
        out += fields_used(cond["not"])
    return out
