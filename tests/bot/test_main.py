"""The `tallybot` command line: init, migrate, token create, and run answering /healthz."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tallybot.bot.__main__ import main, open_services
from tallybot.settings import load_settings


def write_config(tmp_path: Path, port: int = 8080) -> Path:
    config = tmp_path / "bot.toml"
    config.write_text(
        f'[api]\nport = {port}\n[storage]\npath = "{tmp_path / "bot.db"}"\n'
        f'[email]\noutbox_path = "{tmp_path / "outbox.txt"}"\n[community]\nname = "Friday Club"\n'
    )
    return config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_init_writes_the_example_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bot.toml"
    assert main(["init", "--path", str(target)]) == 0
    assert target.read_text() == (Path(__file__).parents[2] / "bot.toml.example").read_text()
    assert main(["init", "--path", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"tallybot: configuration error: {target}: already exists (use --force to overwrite it)\n"
    )


def test_migrate_reports_the_schema_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    assert main(["migrate", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"database {tmp_path / 'bot.db'} is at schema version ")


async def test_token_create_prints_a_host_token_for_the_community(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    code = await asyncio.to_thread(
        main, ["token", "create", "--role", "host", "--name", "obs overlay", "--config", str(config)]
    )
    assert code == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 43
    async with open_services(load_settings(config, env={})) as services:
        asker = await services.accounts.authenticate(token)
        assert asker.label == "token:obs overlay"
        assert asker.is_host_of(services.default_community.id)


def test_token_create_for_an_unknown_community_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    assert main(["token", "create", "--role", "host", "--community", "nowhere", "--config", str(config)]) == 1
    assert capsys.readouterr().err == "tallybot: No community called 'nowhere'\n"


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text("[api]\nport = 'x'\n")
    result = subprocess.run(
        [sys.executable, "-m", "tallybot.bot", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "tallybot: configuration error: [api] port: must be a whole number, not 'x'\n"


async def test_run_answers_healthz_without_chat_credentials(tmp_path: Path) -> None:
    port = free_port()
    config = write_config(tmp_path, port)
    env = {key: value for key, value in os.environ.items() if not key.startswith("TALLYBOT_")}
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tallybot.bot",
        "run",
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        started = time.monotonic()
        body = None
        async with aiohttp.ClientSession() as http:
            while time.monotonic() - started < 15 and server.returncode is None:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        body = await response.json()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
        assert body is not None, "the server never answered /healthz"
        assert body["status"] == "ok"
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr_bytes = await asyncio.wait_for(server.communicate(), timeout=30)
    stderr = stderr_bytes.decode()
    assert server.returncode == 0
    assert "Traceback" not in stderr
    assert "running the API alone" in stderr


# discord.py is ready 2 s (guild_ready_timeout) after the last server arrived; Ctrl-C may come before or after.
@pytest.mark.parametrize("settle", [0.0, 3.0], ids=["while-connecting", "when-ready"])
async def test_ctrl_c_stops_the_api_and_the_discord_adapter_cleanly(tmp_path: Path, settle: float) -> None:
    port = free_port()
    config = write_config(tmp_path, port)
    with config.open("a") as extra:
        extra.write('[discord]\ntoken = "fake-discord-token"\n[gamenight]\necast_base_url = "http://127.0.0.1:1"\n')
    env = {key: value for key, value in os.environ.items() if not key.startswith("TALLYBOT_")}
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bot.serve_with_fake_discord",
        str(config),
        str(settle),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert server.stdout is not None
        line = await asyncio.wait_for(server.stdout.readline(), timeout=60)
        assert line == b"ready\n"
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as response:
            assert response.status == 200
    finally:
        server.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, stderr_bytes = await asyncio.wait_for(server.communicate(), timeout=30)
    stopped_in = time.monotonic() - started
    stderr = stderr_bytes.decode()
    assert server.returncode == 0, stderr
    assert stopped_in < 10
    for trouble in ("Traceback", "Task was destroyed", "pending", "Unclosed", "never awaited"):
        assert trouble not in stderr, stderr
    assert "INFO tallybot: stopping" in stderr
