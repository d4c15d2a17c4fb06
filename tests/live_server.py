"""The real tallybot server as a subprocess, for the tests and benchmarks that kill or measure it.

``LiveServer`` runs ``python -m tallybot.bot run --config <bot.toml>`` exactly as an operator
would, waits for ``/healthz``, and can stop it (SIGTERM), kill it (SIGKILL) and start it
again on the same database. Its output goes to a log file, never to a pipe: a pipe nobody
reads fills up under load and would stall the server on its next log line.

The helpers below set up, over the HTTP API, what the load needs: a host token, a game
night with a game playing, coffee drinkers signed in through the fake OAuth provider with a
group of their own, and a webhook to a loopback receiver.
"""

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.fake_oauth import CLIENT_ID, CLIENT_SECRET, FakeProvider, FakeTeam, FakeUser

ROOT = Path(__file__).resolve().parent.parent
CREW_TEAM_ID = 40000
START_SECONDS = 30.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(directory: Path, port: int, provider_url: str) -> Path:
    """A bot.toml for a server on loopback, with its files in ``directory`` and GitHub sign-in at the fake provider.

    Webhooks may go to loopback, and retry quickly, so that a backlog drains within a test.
    """
    sections: dict[str, dict[str, Any]] = {
        "api": {"host": "127.0.0.1", "port": port},
        "storage": {"path": str(directory / "tallybot.db")},
        "email": {"outbox_path": str(directory / "outbox.txt")},
        "community": {"name": "Live Club"},
        "webhooks": {"allow_private": True, "backoff_seconds": 0.2, "max_backoff_seconds": 1.0, "max_attempts": 1000},
        "github": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "token_url": f"{provider_url}/github/token",
            "user_url": f"{provider_url}/github/user",
            "api_url": f"{provider_url}/github/api",
        },
        # Never the real ecast: nothing here watches rooms, and nothing may leave the machine.
        "gamenight": {"ecast_base_url": "http://127.0.0.1:1"},
    }
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines.extend(f"{key} = {_toml(value)}" for key, value in values.items())
    config = directory / "bot.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _environment() -> dict[str, str]:
    # The caller's TALLYBOT_* variables would override the file; the checkout must be importable.
    env = {key: value for key, value in os.environ.items() if not key.startswith("TALLYBOT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


async def create_token(config: Path, role: str = "host") -> str:
    """A new API bearer token, from ``tallybot token create`` as an operator would run it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tallybot.bot",
        "token",
        "create",
        "--role",
        role,
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_environment(),
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    if process.returncode != 0:
        raise RuntimeError(f"token create failed: {err.decode()}")
    return out.decode().strip()


class LiveServer:
    """One ``tallybot run`` process on a fixed port; it can be stopped, killed and started again."""

    def __init__(self, config: Path, port: int, log_path: Path) -> None:
        self.config = config
        self.port = port
        self.log_path = log_path
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        """The running server's process id."""
        assert self.process is not None
        return self.process.pid

    async def start(self) -> float:
        """Start the server and wait (up to ``START_SECONDS``) until it answers ``/healthz``; returns how long."""
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts} ---\n".encode())
            log.flush()
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tallybot.bot",
                "run",
                "--config",
                str(self.config),
                stdout=log,
                stderr=log,
                env=_environment(),
            )
        started = time.monotonic()
        async with aiohttp.ClientSession() as http:
            while time.monotonic() - started < START_SECONDS:
                if self.process.returncode is not None:
                    raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log()}")
                try:
                    async with http.get(f"{self.base_url}/healthz") as response:
                        if response.status == 200:
                            return time.monotonic() - started
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)
        raise RuntimeError(f"the server did not answer /healthz within {START_SECONDS} s:\n{self.log()}")

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or an out-of-memory kill."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM, and wait for a clean exit; returns the exit status."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        assert self.process.returncode is not None
        return self.process.returncode

    def log(self) -> str:
        """Everything the server wrote so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def cpu_seconds(self) -> float:
        """The CPU time the server has used, user and system, from /proc."""
        # The command name (field 2) may hold spaces; the fields after its ")" are fixed.
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        """The server's resident memory, from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for process {self.pid}")


@dataclass(frozen=True)
class Drinker:
    """A coffee scoreboard user: their tallybot user id and access token."""

    login: str
    user_id: int
    token: str


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


async def _json(response: aiohttp.ClientResponse, status: int) -> Any:
    body = await response.json()
    if response.status != status:
        raise AssertionError(f"{response.method} {response.url}: {response.status} {body}")
    return body


async def start_game_night(http: aiohttp.ClientSession, base: str, token: str) -> int:
    """Start a session with a catalogue game playing; returns the session id."""
    async with http.get(f"{base}/api/games", params={"enabled": "true"}) as response:
        games = await _json(response, 200)
    async with http.post(f"{base}/api/sessions", json={"notes": "live load"}, headers=bearer(token)) as response:
        session_id = int((await _json(response, 201))["id"])
    body = {"game_id": games[0]["id"]}
    async with http.post(f"{base}/api/sessions/{session_id}/games", json=body, headers=bearer(token)) as response:
        await _json(response, 201)
    return session_id


async def add_webhook(
    http: aiohttp.ClientSession, base: str, token: str, url: str, secret: str, events: Sequence[str]
) -> int:
    """Subscribe a URL to event types of the default community; returns the webhook's id."""
    body = {"name": "live receiver", "url": url, "secret": secret, "events": list(events)}
    async with http.post(f"{base}/api/webhooks", json=body, headers=bearer(token)) as response:
        return int((await _json(response, 201))["id"])


def add_crew(provider: FakeProvider, size: int) -> list[str]:
    """Give the fake provider ``size`` GitHub users in one team; returns their logins."""
    logins = [f"drinker{n}" for n in range(size)]
    provider.users.setdefault("github", {}).update(
        {login: FakeUser(50_000 + n, login, f"Drinker {n}") for n, login in enumerate(logins)}
    )
    provider.teams.append(FakeTeam(CREW_TEAM_ID, "Crew", "crew", "tallybot", logins))
    return logins


async def coffee_group(
    http: aiohttp.ClientSession, base: str, provider: FakeProvider, logins: Sequence[str]
) -> tuple[int, list[Drinker]]:
    """Sign everyone in with GitHub, then make their team a group; returns the group id and the drinkers."""
    drinkers = []
    for login in logins:
        form = {"code": provider.code_for("github", login), "provider": "github"}
        async with http.post(f"{base}/1/auth", json=form) as response:
            signed_in = await _json(response, 200)
        if "access_token" not in signed_in:
            raise AssertionError(f"sign-in of {login} failed: {signed_in}")
        drinkers.append(Drinker(login, int(signed_in["user_id"]), str(signed_in["access_token"])))
    body = {"github_team_id": CREW_TEAM_ID}
    async with http.post(f"{base}/1/group/create", json=body, headers=bearer(drinkers[0].token)) as response:
        group = await _json(response, 200)
    if "group_id" not in group:
        raise AssertionError(f"the group was not made: {group}")
    return int(group["group_id"]), drinkers
