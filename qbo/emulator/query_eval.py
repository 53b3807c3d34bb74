"""Run a parsed QBO query over a list of entity dicts."""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace

from .query import Condition, Query


def field_value(entity: dict, path: str) -> object:
    """A possibly dotted field (e.g. MetaData.LastUpdatedTime) of an entity.

    A reference such as VendorRef compares by the Id it names, as in `VendorRef = '56'`.
    """
    value: object = entity
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _as_float(value: object) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _comparable(actual: object, wanted: object) -> tuple[object, object] | None:
    if actual is None:
        return None
    if isinstance(wanted, bool) or isinstance(actual, bool):
        return (str(actual).lower(), str(wanted).lower())
    if isinstance(wanted, float) or (isinstance(actual, (int, float))
                                     and _as_float(wanted) is not None):
        # Amounts compare as numbers even when quoted: TotalAmt > '300.00'.
        left = _as_float(actual)
        return None if left is None else (left, _as_float(wanted))
    return str(actual), str(wanted)


def _like(actual: object, pattern: object) -> bool:
    regex = ".*".join(re.escape(part) for part in str(pattern).split("%"))
    return actual is not None and re.fullmatch(regex, str(actual), re.IGNORECASE) is not None


def matches(entity: dict, condition: Condition) -> bool:
    """Whether an entity satisfies one WHERE condition."""
    actual = field_value(entity, condition.field)
    if condition.operator == "LIKE":
        return _like(actual, condition.value)
    if condition.operator == "IN":
        return any(matches(entity, Condition(condition.field, "=", value))
                   for value in condition.value)
    pair = _comparable(actual, condition.value)
    if pair is None:
        return False
    left, right = pair
    return {"=": left == right, "!=": left != right, "<": left < right, ">": left > right,
            "<=": left <= right, ">=": left >= right}[condition.operator]


def filter_entities(query: Query, entities: list[dict]) -> list[dict]:
    """The entities that satisfy every WHERE condition."""
    return [entity for entity in entities
            if all(matches(entity, condition) for condition in query.conditions)]


def with_active_default(query: Query, list_entities: Collection[str]) -> Query:
    """QBO lists only active list records unless the query itself filters on Active."""
    if query.entity not in list_entities or any(
            condition.field.lower() == "active" for condition in query.conditions):
        return query
    return replace(query, conditions=[*query.conditions, Condition("Active", "=", True)])


def run_query(query: Query, entities: list[dict]) -> list[dict]:
    """Filter, order and page entities as the query asks."""
    selected = filter_entities(query, entities)
    for name, descending in reversed(query.order_by):
        numeric = name.lower() == "id"  # Ids are digit strings that QBO orders as numbers
        selected.sort(key=lambda entity: _sort_key(field_value(entity, name), numeric),
                      reverse=descending)
    start = query.start_position - 1
    return selected[start:start + query.max_results]


def _sort_key(value: object, numeric: bool = False) -> tuple[int, object]:
    if value is None:
        return (0, "")
    if numeric and str(value).isdigit():
        return (1, int(str(value)))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value).lower())
