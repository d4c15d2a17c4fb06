"""schemathesis against the live ``/api/openapi.json``: every operation, with real tokens.

For each operation of the document the running app serves, schemathesis generates requests,
valid ones and ones with something wrong, and every answer must be no 5xx, have a documented
status and content type, and a body that matches the schema documented for that status.

The profile is bounded and reproducible: Hypothesis with a fixed seed, no shrinking and no
example database, at most ``TALLYBOT_FUZZ_EXAMPLES`` requests per operation (50 unless set;
an operation with fewer possible requests, such as ``GET /healthz``, gets fewer). A longer
run by hand::

    TALLYBOT_FUZZ_EXAMPLES=1000 TALLYBOT_FUZZ_SEED=7 .venv/bin/pytest -q tests/fuzz

Each request carries a real token of the kind its operation names first, and half of the
time (as Hypothesis draws it) the ids of things that exist in place of generated ones, so
that requests get past "unknown token" and "not found" into the handlers. A third of the
requests are then made hostile in one place, the kinds that schema fuzzing alone misses: a
lone surrogate or a NUL in a string, an integer beyond 64 bits, digits of another script
in an id, or a broken multipart body. Long polls are
asked to wait at most ``SHORT_WAIT``; the SSE stream is read for ``STREAM_SECONDS`` (its
status and headers are what there is to check); the WebSocket routes get plain GETs, which
are answered with their handshake errors.
"""

import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Err
from schemathesis.schemas import APIOperation, BaseSchema

from tests.fuzz.live_app import LiveApp, World, fuzz_settings
from tests.helpers import leave_figures

EXAMPLES = int(os.environ.get("TALLYBOT_FUZZ_EXAMPLES", "50"))
SEED = int(os.environ.get("TALLYBOT_FUZZ_SEED", "20261123"))
# Long polls wait at most this long in the fuzz run, so that a valid wait does not hold it up.
SHORT_WAIT = 0.05
EVENT_STREAM_PATH = "/api/events/stream"
STREAM_SECONDS = 0.3
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
ENDS_SESSION = ("/logout", "/end-session")
BROKEN_MULTIPART = ("multipart/form-data; boundary=xx", b"--xx\r\nbroken")
# What each hostile kind puts in the place it picks.
HOSTILE: dict[str, Any] = {
    "lone surrogate": "\ud800",
    "NUL": "a\x00b",
    "integer beyond 64 bits": 10**30,
    "non-ASCII digit": "\u0661",
    "broken multipart": None,
}
TOKENS = {"hostToken": "host", "sessionToken": "person", "viewerToken": "viewer", "pokerToken": "poker_owner"}


class Tally:
    """How many requests each operation got, and the statuses that came back."""

    def __init__(self) -> None:
        self.operations: list[str] = []
        self.examples: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.seconds: dict[str, float] = {}
        self.hostile: Counter[str] = Counter()
        self.hostile_server_errors: Counter[str] = Counter()

    def summary(self) -> str:
        server_errors = sum(count for status, count in self.statuses.items() if status >= 500)
        slowest = sorted(self.seconds.items(), key=lambda item: -item[1])[:3]
        fewest = min(self.operations, key=lambda label: self.examples[label], default="none")
        return (
            f"fuzz: {len(self.operations)} operations, {sum(self.examples.values())} examples "
            f"(at most {EXAMPLES} generated per operation, seed {SEED}; fewest: {self.examples[fewest]}, {fewest}), "
            f"{server_errors} answers with a 5xx; "
            f"statuses {dict(sorted(self.statuses.items()))}; "
            f"slowest: {', '.join(f'{label} {seconds:.1f} s' for label, seconds in slowest)}; "
            f"hostile requests: {self.hostile_summary()}"
        )

    def hostile_summary(self) -> str:
        """How many requests of each hostile kind were sent, and how many got a 5xx."""
        return ", ".join(
            f"{kind} {n} ({self.hostile_server_errors[kind]} 5xx)" for kind, n in sorted(self.hostile.items())
        )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    app = LiveApp(fuzz_settings(tmp_path_factory.mktemp("fuzz")))
    app.start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def live_schema(live: LiveApp) -> BaseSchema:
    # An open event stream is read until its first event or the request's timeout, not to its end.
    config = SchemathesisConfig.from_dict({"max-stream-events": 1})
    return schemathesis.openapi.from_url(f"{live.base_url}/api/openapi.json", config=config)


def _headers(case: Any, live: LiveApp, world: World) -> dict[str, str]:
    """A real token of the first kind the operation's security asks for; none for an open route.

    A request that ends its session gets a session of its own, so that the person's stays
    valid for the operations fuzzed after it.
    """
    for requirement in case.operation.definition.raw.get("security", []):
        for scheme in requirement:
            if case.path.endswith(ENDS_SESSION):
                return {"Authorization": f"Bearer {live.fresh_session()}"}
            return {"Authorization": f"Bearer {getattr(world, TOKENS[scheme])}"}
    return {}


def _known_ids(case: Any, world: World) -> None:
    """Put ids of things that exist where the generated ones are."""
    path = case.path_parameters if case.path_parameters is not None else {}
    query = case.query if isinstance(case.query, dict) else {}
    poker = "/session/{session_id}" in case.path or "/poker/{session_id}" in case.path
    known = {
        "community": world.community,
        "session_id": world.poker_session if poker else world.night,
        "prompt_id": str(world.prompt),
        "session_game_id": world.night_game,
        "group_id": world.group,
    }
    if "/sessions/{id}" in case.path:
        known["id"] = world.night
    for name in set(known) & set(path):
        path[name] = known[name]
    # The event streams' topics, and the vote and coffee filters.
    topics = {"session": world.night, "poker": world.poker_session, "coffee": world.group, **known}
    for name in {"session", "poker", "coffee", "session_id", "group_id"} & set(query):
        query[name] = topics[name]


def _short_waits(case: Any) -> None:
    """A long poll waits 30 s when asked for no timeout: the fuzz run asks for at most ``SHORT_WAIT``."""
    if not any(parameter.name == "timeout" for parameter in case.operation.query):
        return
    # A POSTed long poll reads its parameters from the query string and the JSON body, the body first.
    for where in (case.query, case.body):
        if isinstance(where, dict) and isinstance(where.get("timeout"), int | float):
            where["timeout"] = min(where["timeout"], SHORT_WAIT)
    if isinstance(case.query, dict):
        case.query.setdefault("timeout", SHORT_WAIT)
    elif case.query is None:
        case.query = {"timeout": SHORT_WAIT}


def _make_hostile(case: Any, kind: str, pick: int) -> bool:
    """Put the hostile kind in one place of the case (chosen by ``pick``); False when it has no place for it."""
    bad = HOSTILE[kind]
    places: list[tuple[dict[str, Any], str]] = []
    for where in (case.path_parameters, case.query, case.body):
        if isinstance(where, dict):
            places += [(where, name) for name in where if name != "community"]
    if kind in ("lone surrogate", "integer beyond 64 bits"):
        # Only a JSON body carries these as such; a URL or a form cannot hold a lone surrogate.
        json_body = isinstance(case.body, dict) and case.media_type == "application/json"
        places = [(where, name) for where, name in places if json_body and where is case.body]
    if not places:
        return False
    where, name = places[pick % len(places)]
    where[name] = bad
    return True


def _cases(operation: APIOperation[Any, Any, Any, Any]) -> st.SearchStrategy[Any]:
    """Valid requests, and requests with one thing wrong, as schemathesis makes them."""
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def _fuzz(operation: APIOperation[Any, Any, Any, Any], live: LiveApp, http: requests.Session, tally: Tally) -> None:
    world = live.world
    assert world is not None

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @seed(SEED)
    @given(
        case=_cases(operation),
        known=st.booleans(),
        hostile=st.one_of(st.none(), st.none(), st.tuples(st.sampled_from(list(HOSTILE)), st.integers(0, 99))),
    )
    def run(case: Any, known: bool, hostile: tuple[str, int] | None) -> None:
        if known:
            _known_ids(case, world)
        _short_waits(case)
        headers = _headers(case, live, world)
        # An event stream never ends by itself: schemathesis reads it until the timeout, so that one is short.
        timeout = STREAM_SECONDS if operation.path.endswith(EVENT_STREAM_PATH) else 10
        kind = None
        if hostile is not None and hostile[0] == "broken multipart" and case.method.upper() != "GET":
            kind = hostile[0]
            content_type, raw = BROKEN_MULTIPART
            sent = case.as_transport_kwargs(base_url=live.base_url, headers=headers)
            sent.pop("json", None)
            sent.update(data=raw, headers={**sent.get("headers", {}), "Content-Type": content_type})
            response = http.request(**sent, timeout=timeout)
        else:
            if hostile is not None and hostile[0] != "broken multipart" and _make_hostile(case, *hostile):
                kind = hostile[0]
            response = case.call(base_url=live.base_url, session=http, headers=headers, timeout=timeout)
        tally.examples[operation.label] += 1
        tally.statuses[response.status_code] += 1
        if kind is not None:
            tally.hostile[kind] += 1
            tally.hostile_server_errors[kind] += response.status_code >= 500
        case.validate_response(response, checks=CHECKS)

    run()


def _described(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "\n".join(_described(inner) for inner in error.exceptions)
    return f"{type(error).__name__}: {error}"


@pytest.mark.long
def test_every_answer_is_documented_and_no_answer_is_a_server_error(
    live_schema: BaseSchema, live: LiveApp, http: requests.Session, request: pytest.FixtureRequest
) -> None:
    tally = Tally()
    try:
        failures = _fuzz_all(live_schema, live, http, tally)
    finally:
        # The figures are the point of a fuzz run: printed at the end of the run, even when it passes.
        leave_figures(request, tally.summary())
    assert failures == [], "\n\n".join(failures)
    assert [label for label in tally.operations if tally.examples[label] == 0] == []


def _fuzz_all(live_schema: BaseSchema, live: LiveApp, http: requests.Session, tally: Tally) -> list[str]:
    """Fuzz every operation of the document; one line for each that failed."""
    failures = []
    for result in live_schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"an operation schemathesis cannot read: {result.err()}")
            continue
        operation = result.ok()
        tally.operations.append(operation.label)
        started = time.monotonic()
        try:
            _fuzz(operation, live, http, tally)
        except (Exception, BaseExceptionGroup) as error:
            # Every operation is fuzzed, and every failure reported, not only the first.
            failures.append(f"{operation.label}: {_described(error)}")
        tally.seconds[operation.label] = time.monotonic() - started
    return failures
