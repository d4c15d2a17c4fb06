"""`tallybot import-chat FILE --session ID`: JSON and CSV chat logs from the command line."""

import asyncio
import json
from pathlib import Path

import pytest

from tallybot.bot.__main__ import main, open_services
from tallybot.settings import load_settings
from tests.gamenight_helpers import seed_games
from tests.helpers import FakeClock, host_of


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "bot.db"}"\n[email]\noutbox_path = "{tmp_path / "mail.txt"}"\n')
    return path


async def start_night(config: Path) -> int:
    """A session of the default community playing one game since 12:00."""
    async with open_services(load_settings(config), clock=FakeClock()) as services:
        games = await seed_games(services)
        home = services.default_community
        session = await services.game_nights.start(host_of(home), home, None)
        await services.game_nights.add_game(host_of(home), home, session.id, games.quiplash, False, None)
        return session.id


async def test_a_json_log_is_imported_with_a_progress_bar(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = await start_night(config)
    log = tmp_path / "chat.json"
    messages = [
        {
            "username": f"viewer{n}",
            "message": "thisgame++" if n % 4 else "thisgame--",
            "timestamp": f"2026-11-23T12:{n // 60:02d}:{n % 60:02d}Z",
        }
        for n in range(1500)
    ]
    log.write_text(json.dumps(messages))
    args = ["import-chat", str(log), "--session", str(session_id), "--config", str(config)]
    assert await asyncio.to_thread(main, args) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        "messages imported: 1,500\nduplicates skipped: 0\nvotes counted: 1,500\n  Quiplash Test: +1,125 / -375\n"
    )
    assert "\rreading [###################...........]  66% 1,000/1,500\r" in captured.err
    assert "reading [##############################] 100% 1,500/1,500\n" in captured.err
    assert await asyncio.to_thread(main, args) == 0
    assert capsys.readouterr().out.startswith("messages imported: 0\nduplicates skipped: 1,500\n")


async def test_a_csv_log_is_imported(config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session_id = await start_night(config)
    log = tmp_path / "chat.csv"
    log.write_text("username,message,timestamp\nann,thisgame++,2026-11-23T12:01:00Z\nbob,hi all,2026-11-23T12:02:00Z\n")
    args = ["import-chat", str(log), "--session", str(session_id), "--config", str(config)]
    assert await asyncio.to_thread(main, args) == 0
    assert capsys.readouterr().out == (
        "messages imported: 2\nduplicates skipped: 0\nvotes counted: 1\n  Quiplash Test: +1 / -0\n"
    )


async def test_an_unknown_session_or_file_fails_with_a_message(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "chat.json"
    log.write_text("[]")
    assert await asyncio.to_thread(main, ["import-chat", str(log), "--session", "7", "--config", str(config)]) == 1
    assert capsys.readouterr().err.endswith("tallybot: Session not found\n")
    missing = tmp_path / "missing.json"
    assert await asyncio.to_thread(main, ["import-chat", str(missing), "--session", "7", "--config", str(config)]) == 1
    assert f"tallybot: {missing}: cannot read the chat log" in capsys.readouterr().err
