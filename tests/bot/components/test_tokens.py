"""The Twitch adapter keeps its tokens in the database: refreshed pairs are stored, a restart uses them."""

import asyncio
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from tallybot.bot import twitch_auth
from tallybot.bot.__main__ import main
from tallybot.bot.commands.layer import ChatCommands
from tallybot.core.errors import Invalid
from tallybot.core.models import Platform
from tallybot.core.services import Services
from tallybot.settings import Settings, SettingsError, parse_settings
from tests.bot.components.conftest import ALICE, BOT, TwitchChat, start_adapter, stop_adapter
from tests.fakes.fake_twitch import BOT_SCOPES, FakeTwitch
from tests.helpers import FakeMonotonic

KEY = "0123456789abcdef" * 4
REDIRECT = "http://localhost:8080/twitch/callback"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, twitch=replace(settings.twitch, token_key=KEY))


def _stored(settings: Settings) -> list[tuple[str, str, str]]:
    with sqlite3.connect(settings.storage.path) as conn:
        return list(conn.execute("SELECT user_id, access_token, refresh_token FROM platform_tokens"))


async def test_a_refreshed_token_is_stored_sealed_and_a_restarted_adapter_uses_it(
    fake: FakeTwitch,
    services: Services,
    chat: ChatCommands,
    twitch_settings: Settings,
    monotonic: FakeMonotonic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # twitchio's default would write .tio.tokens.json to the working directory.
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    first = await services.platform_tokens.save(Platform.TWITCH, BOT.id, *fake.issue_user_token(BOT.id))
    twitch = TwitchChat(fake, services, chat)
    before = asyncio.all_tasks()
    adapter = await start_adapter(services, chat, twitch_settings, monotonic)
    fake.expire_token(first.access_token)
    before_restart = await twitch.ask(ALICE, "!playing")
    await stop_adapter(adapter, before)
    [refreshed] = await services.platform_tokens.load(Platform.TWITCH)

    # The refresh spent the first refresh token: only the stored pair can start the adapter again.
    restarted = await start_adapter(services, chat, twitch_settings, monotonic)
    after_restart = await twitch.ask(ALICE, "!playing")
    await stop_adapter(restarted, before)

    assert before_restart == after_restart == "No game night is running right now"
    assert not fake.is_current_pair(first.access_token, first.refresh_token)
    assert fake.is_current_pair(refreshed.access_token, refreshed.refresh_token)
    [(user_id, access, refresh)] = _stored(twitch_settings)
    assert user_id == BOT.id
    assert access.startswith("sealed:")
    assert refresh.startswith("sealed:")
    assert refreshed.access_token not in access
    assert refreshed.refresh_token not in refresh
    assert list(workdir.iterdir()) == []


async def test_twitch_auth_stores_the_token_the_consent_code_brings(
    fake: FakeTwitch, services: Services, twitch_settings: Settings
) -> None:
    settings = replace(twitch_settings.twitch, oauth_redirect_uri=REDIRECT)
    code = fake.authorization_code(BOT.id, REDIRECT)

    said = await twitch_auth.store_code(services, settings, code)

    assert said == f"Stored the Twitch token of {BOT.login} (user id {BOT.id})."
    [token] = await services.platform_tokens.load(Platform.TWITCH)
    assert token.user_id == BOT.id
    assert fake.is_current_pair(token.access_token, token.refresh_token)


async def test_twitch_auth_refuses_a_token_without_the_bots_scopes_and_a_bad_code(
    fake: FakeTwitch, services: Services, twitch_settings: Settings
) -> None:
    settings = replace(twitch_settings.twitch, oauth_redirect_uri=REDIRECT)
    narrow = fake.authorization_code(BOT.id, REDIRECT, [scope for scope in BOT_SCOPES if scope != "user:bot"])

    with pytest.raises(Invalid, match=r"^The token lacks the scopes user:bot: agree to all of them"):
        await twitch_auth.store_code(services, settings, narrow)
    with pytest.raises(Invalid, match=r"^Twitch did not accept the code: Invalid authorization code$"):
        await twitch_auth.store_code(services, settings, "made-up")
    assert await services.platform_tokens.load(Platform.TWITCH) == []


def test_twitch_auth_without_a_code_prints_the_consent_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(
        f'[twitch]\nclient_id = "abc"\nclient_secret = "shh"\nbot_id = "900"\noauth_redirect_uri = "{REDIRECT}"\n',
        encoding="utf-8",
    )

    code = main(["twitch-auth", "--config", str(config)])

    out = capsys.readouterr().out
    assert code == 0
    assert "https://id.twitch.tv/oauth2/authorize?client_id=abc&redirect_uri=http%3A//localhost%3A8080" in out
    for scope in BOT_SCOPES:
        assert scope.replace(":", "%3A") in out
    assert "tallybot twitch-auth --code CODE" in out


def test_twitch_auth_names_the_missing_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bot.toml"
    config.write_text('[twitch]\nclient_id = "abc"\nclient_secret = "shh"\n', encoding="utf-8")

    code = main(["twitch-auth", "--config", str(config)])

    assert code == 2
    error = capsys.readouterr().err
    assert error == "tallybot: configuration error: [twitch] oauth_redirect_uri: required by twitch-auth\n"


def test_a_short_token_key_is_refused_and_channels_come_from_a_list_or_the_environment() -> None:
    with pytest.raises(SettingsError, match=r"^\[twitch\] token_key: needs at least 32 characters"):
        parse_settings({"twitch": {"token_key": "short"}}, {})

    from_file = parse_settings({"twitch": {"channels": ["streamer", "12345"]}}, {})
    from_env = parse_settings({}, {"TALLYBOT_TWITCH_CHANNELS": "streamer, 12345", "TALLYBOT_TWITCH_TOKEN_KEY": KEY})

    assert from_file.twitch.channels == from_env.twitch.channels == ("streamer", "12345")
    assert from_env.twitch.token_key == KEY
