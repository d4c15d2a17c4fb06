"""JSON Schema from the TypedDicts the handlers return."""

from enum import StrEnum
from typing import Annotated, Any, Literal, NotRequired, TypedDict

import pytest

from tallybot.api.openapi.schema import Schemas, query_fields
from tallybot.core.wire import Meta, open_shape


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Inner(TypedDict):
    """Something inside."""

    name: str


class Outer(TypedDict):
    """Everything the converter understands."""

    count: int
    ratio: float
    flag: bool
    text: str | None
    kind: Literal["a", "b"]
    only: Literal[1]
    colour: Colour
    inner: Inner
    inners: list[Inner]
    maybe_inner: Inner | None
    table: dict[str, int]
    anything: Any
    bounded: Annotated[int, Meta(minimum=1, description="At least one")]
    later: NotRequired[str]


@open_shape
class Loose(TypedDict):
    """May carry more keys."""

    error: str


class Partial(TypedDict, total=False):
    """Every key optional."""

    page: int


def test_a_typed_dict_becomes_a_closed_component_with_its_required_keys() -> None:
    schemas = Schemas()
    assert schemas.of(Outer) == {"$ref": "#/components/schemas/Outer"}
    assert schemas.components["Outer"] == {
        "type": "object",
        "description": "Everything the converter understands.",
        "properties": {
            "count": {"type": "integer"},
            "ratio": {"type": "number"},
            "flag": {"type": "boolean"},
            "text": {"type": ["string", "null"]},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "only": {"type": "integer", "const": 1},
            "colour": {"type": "string", "enum": ["red", "blue"]},
            "inner": {"$ref": "#/components/schemas/Inner"},
            "inners": {"type": "array", "items": {"$ref": "#/components/schemas/Inner"}},
            "maybe_inner": {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]},
            "table": {"type": "object", "additionalProperties": {"type": "integer"}},
            "anything": {},
            "bounded": {"type": "integer", "minimum": 1, "description": "At least one"},
            "later": {"type": "string"},
        },
        "required": [
            "count",
            "ratio",
            "flag",
            "text",
            "kind",
            "only",
            "colour",
            "inner",
            "inners",
            "maybe_inner",
            "table",
            "anything",
            "bounded",
        ],
        "additionalProperties": False,
    }
    assert schemas.components["Inner"]["required"] == ["name"]


def test_an_open_shape_allows_more_keys_and_a_partial_one_requires_none() -> None:
    schemas = Schemas()
    schemas.of(Loose)
    schemas.of(Partial)
    assert "additionalProperties" not in schemas.components["Loose"]
    assert "required" not in schemas.components["Partial"]


def test_two_shapes_with_one_name_are_refused() -> None:
    class Inner(TypedDict):
        other: int

    schemas = Schemas()
    schemas.of(Outer)
    with pytest.raises(TypeError, match="two shapes are named Inner"):
        schemas.of(Inner)


def test_a_type_with_no_json_form_is_refused() -> None:
    with pytest.raises(TypeError, match="no JSON Schema"):
        Schemas().of(bytes)


def test_query_fields_list_each_name_with_whether_it_is_required() -> None:
    fields = query_fields(Outer)
    assert [(name, required) for name, _, required in fields][-2:] == [("bounded", True), ("later", False)]
    assert fields[-1][1] is str
