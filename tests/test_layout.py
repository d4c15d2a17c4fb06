"""The layout is the architecture: these tests pin which part of tallybot may import which.

- core/ imports no chat, HTTP or database library, and nothing from the layers around it;
- a feature package of core is imported from outside only through the names its
  ``__init__.py`` exports, never through its modules;
- nothing imports bot/ or api/ but bot/__main__.py (and each of them itself);
- no folder is named after a library it would shadow.

Every import counts, also one inside a function or under ``if TYPE_CHECKING:``.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tallybot"
CORE_FEATURES = sorted(
    path.name for path in (PACKAGE / "core").iterdir() if path.is_dir() and (path / "__init__.py").exists()
)
FRAMEWORKS = ("discord", "twitchio", "aiohttp", "yarl", "multidict", "asyncpg", "psycopg", "sqlite3", "aiosqlite")
OUTER_LAYERS = ("tallybot.bot", "tallybot.api", "tallybot.storage", "tallybot.outbound", "tallybot.settings")
SHADOWED = ("discord", "twitchio", "aiohttp", "asyncpg")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[str]:
    """Every module a file imports, absolute (``from a.b import c`` yields ``a.b`` and ``a.b.c``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def modules(under: str = "") -> list[Path]:
    return sorted((PACKAGE / under).rglob("*.py"))


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_there_are_feature_packages_to_check() -> None:
    assert {"accounts", "gamenight", "poker", "coffee", "events"} <= set(CORE_FEATURES)


@pytest.mark.parametrize("path", modules("core"), ids=lambda path: module_name(path))
def test_core_imports_no_framework_and_no_outer_layer(path: Path) -> None:
    forbidden = [
        name
        for name in imports(path)
        if name.split(".")[0] in FRAMEWORKS or any(within(name, layer) for layer in OUTER_LAYERS)
    ]
    assert forbidden == []


@pytest.mark.parametrize("path", modules(), ids=lambda path: module_name(path))
def test_a_feature_package_is_imported_only_through_its_public_names(path: Path) -> None:
    me = module_name(path)
    insides = []
    for feature in CORE_FEATURES:
        package = f"tallybot.core.{feature}"
        if within(me, package):
            continue
        exported = set(ast.literal_eval(_all_of(PACKAGE / "core" / feature / "__init__.py")))
        for name in imports(path):
            if within(name, package) and name != package and name.removeprefix(package + ".") not in exported:
                insides.append(name)
    assert insides == []


def _all_of(init: Path) -> str:
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return ast.unparse(node.value)
    raise AssertionError(f"{init} has no __all__")


@pytest.mark.parametrize("path", modules(), ids=lambda path: module_name(path))
def test_only_the_wiring_imports_the_bot_and_the_api(path: Path) -> None:
    me = module_name(path)
    if me == "tallybot.bot.__main__":
        return
    outside = [
        name
        for name in imports(path)
        for layer in ("tallybot.bot", "tallybot.api")
        if within(name, layer) and not within(me, layer)
    ]
    assert outside == []


def test_no_folder_shadows_a_library() -> None:
    roots = (PACKAGE, PACKAGE.parent / "tests", PACKAGE.parent / "bench")
    shadowing = [str(path) for root in roots for path in root.rglob("*") if path.is_dir() and path.name in SHADOWED]
    assert shadowing == []
