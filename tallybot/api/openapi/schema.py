"""JSON Schema from Python types, so that the OpenAPI document reads the shapes mypy checks.

Handlers build their bodies through functions that return TypedDicts; mypy holds each
dict literal to its TypedDict, and ``Schemas.of`` turns the same TypedDict into JSON
Schema (2020-12, as OpenAPI 3.1 uses). Each TypedDict becomes one named component,
referenced with ``$ref``; it is closed (``additionalProperties: false``) unless marked
with ``open_shape``, because mypy lets no other key into its literals.

Understood: ``str``, ``int``, ``float``, ``bool``, ``None``, ``Any``, ``Literal``, string
enums, ``list``/``Sequence``/``tuple[X, ...]``, ``dict[str, X]``/``Mapping``, unions,
TypedDicts with ``NotRequired``/``Required``, and ``Annotated[X, Meta(...)]`` for extra
keywords such as ``description``, ``pattern`` or ``maximum``.
"""

import enum
import types
from collections.abc import Mapping, Sequence
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

from tallybot.core.wire import Meta

__all__ = ["JsonSchema", "Schemas", "query_fields"]

JsonSchema = dict[str, Any]

_PRIMITIVES: dict[Any, str] = {str: "string", bool: "boolean", int: "integer", float: "number", type(None): "null"}
_LISTS = (list, Sequence, tuple, frozenset, set)
_MAPS = (dict, Mapping)


class Schemas:
    """The component schemas met so far, each TypedDict once, by class name."""

    def __init__(self) -> None:
        self.components: dict[str, JsonSchema] = {}
        self._owners: dict[str, Any] = {}

    def of(self, hint: Any) -> JsonSchema:
        """The JSON Schema of a type hint; TypedDicts become ``$ref`` to a component."""
        origin = get_origin(hint)
        if origin is Annotated:
            inner, *extras = get_args(hint)
            schema = self.of(inner)
            for extra in extras:
                if isinstance(extra, Meta):
                    schema = {**schema, **extra.keywords}
            return schema
        if hint is Any or hint is object:
            return {}
        if hint in _PRIMITIVES:
            return {"type": _PRIMITIVES[hint]}
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return _literal([member.value for member in hint])
        if origin is Literal:
            return _literal(list(get_args(hint)))
        if origin in (Union, types.UnionType):
            return _any_of([self.of(arg) for arg in get_args(hint)])
        if origin in _LISTS:
            items = [arg for arg in get_args(hint) if arg is not Ellipsis]
            return {"type": "array", "items": self.of(items[0]) if items else {}}
        if origin in _MAPS or hint in _MAPS:
            pair = get_args(hint)
            return {"type": "object", "additionalProperties": self.of(pair[1]) if pair else {}}
        if is_typeddict(hint):
            return self._reference(hint)
        raise TypeError(f"no JSON Schema for {hint!r}")

    def _reference(self, shape: Any) -> JsonSchema:
        name = shape.__name__
        owner = self._owners.setdefault(name, shape)
        if owner is not shape:
            raise TypeError(f"two shapes are named {name}: {owner.__module__} and {shape.__module__}")
        if name not in self.components:
            # Claimed before the fields are read, so that a shape may refer to itself.
            self.components[name] = {}
            self.components[name] = self._object(shape)
        return {"$ref": f"#/components/schemas/{name}"}

    def _object(self, shape: Any) -> JsonSchema:
        hints = get_type_hints(shape, include_extras=True)
        schema: JsonSchema = {"type": "object"}
        if shape.__doc__:
            schema["description"] = " ".join(shape.__doc__.split())
        schema["properties"] = {name: self.of(_unwrap_required(hint)) for name, hint in hints.items()}
        required = [name for name in hints if name in shape.__required_keys__]
        if required:
            schema["required"] = required
        if not getattr(shape, "__open_shape__", False):
            schema["additionalProperties"] = False
        return schema


def query_fields(shape: Any) -> list[tuple[str, Any, bool]]:
    """A TypedDict's fields as (name, type, required), for query string parameters."""
    hints = get_type_hints(shape, include_extras=True)
    return [(name, _unwrap_required(hint), name in shape.__required_keys__) for name, hint in hints.items()]


def _unwrap_required(hint: Any) -> Any:
    """``NotRequired[X]`` and ``Required[X]`` say whether the key is there, not what its value is."""
    while get_origin(hint) in (NotRequired, Required):
        hint = get_args(hint)[0]
    return hint


def _literal(values: list[Any]) -> JsonSchema:
    names = sorted({_PRIMITIVES[type(value)] for value in values})
    schema: JsonSchema = {"type": names[0] if len(names) == 1 else names}
    if len(values) == 1:
        schema["const"] = values[0]
    else:
        schema["enum"] = values
    return schema


def _any_of(options: list[JsonSchema]) -> JsonSchema:
    """A union; plain ``{"type": ...}`` members fold into one type list, as ``str | None`` reads best."""
    plain = [option for option in options if set(option) == {"type"}]
    if len(plain) == len(options):
        names: list[str] = []
        for option in plain:
            kinds = option["type"] if isinstance(option["type"], list) else [option["type"]]
            names += [kind for kind in kinds if kind not in names]
        return {"type": names[0] if len(names) == 1 else names}
    return {"anyOf": options}
