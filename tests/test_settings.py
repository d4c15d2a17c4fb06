"""Settings: defaults, bot.toml, environment overrides, and one clear line per mistake."""

import dataclasses
import tomllib
import typing
from pathlib import Path

import pytest

from tallybot.settings import Settings, SettingsError, load_settings, parse_settings


def test_defaults_need_no_file() -> None:
    settings = load_settings(None, env={})
    assert (settings.api.host, settings.api.port) == ("127.0.0.1", 8080)
    assert settings.storage.path == "tallybot.db"
    assert settings.email.mode == "outbox"


def test_the_example_file_is_valid_and_matches_the_defaults() -> None:
    example = Path(__file__).parents[1] / "bot.toml.example"
    assert load_settings(example, env={}) == load_settings(None, env={})


def test_values_come_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(
        '[api]\nport = 9000\n[email]\nmode = "smtp"\nhost = "mail.example.com"\n[community]\nname = "Den"\n'
    )
    settings = load_settings(path, env={})
    assert settings.api.port == 9000
    assert settings.email.mode == "smtp"
    assert settings.email.host == "mail.example.com"
    assert settings.community.name == "Den"


def test_environment_variables_override_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text('[discord]\ntoken = "from-file"\n')
    env = {"TALLYBOT_DISCORD_TOKEN": "from-env", "TALLYBOT_API_PORT": "9100", "TALLYBOT_EMAIL_STARTTLS": "false"}
    settings = load_settings(path, env=env)
    assert settings.discord.token == "from-env"
    assert settings.api.port == 9100
    assert settings.email.starttls is False


@pytest.mark.parametrize(
    ("raw", "env", "message"),
    [
        ({"api": {"port": "eighty"}}, {}, "[api] port: must be a whole number, not 'eighty'"),
        ({"api": {"port": 70000}}, {}, "[api] port: must be from 1 to 65535, not 70000"),
        (
            {"api": {"prot": 80}},
            {},
            "[api] prot: unknown key (known keys: admin_keys, cors_origins, host, max_body_bytes, "
            "poker_sessions_per_hour, port, read_timeout_seconds)",
        ),
        ({"api": {"read_timeout_seconds": 0}}, {}, "[api] read_timeout_seconds: must be greater than 0"),
        ({"apy": {}}, {}, "[apy]: unknown section"),
        ({"email": {"mode": "pigeon"}}, {}, "[email] mode: must be one of 'outbox', 'smtp', not 'pigeon'"),
        ({"email": {"starttls": "yes"}}, {}, "[email] starttls: must be true or false, not 'yes'"),
        ({"api": {"admin_keys": ["short"]}}, {}, "[api] admin_keys: every key needs at least 16 characters"),
        ({"accounts": {"max_code_attempts": 0}}, {}, "[accounts] max_code_attempts: must be greater than 0"),
        (
            {"api": {"cors_origins": ["https://app.example/"]}},
            {},
            "[api] cors_origins: 'https://app.example/' is not an origin (scheme://host[:port], with no path or "
            "trailing slash) nor '*'",
        ),
        ({"api": {"cors_origins": "https://app.example"}}, {}, "[api] cors_origins: must be a list of strings"),
        ({}, {"TALLYBOT_API_PORT": "x"}, "TALLYBOT_API_PORT (for [api] port): must be a whole number, not 'x'"),
    ],
)
def test_a_bad_setting_names_its_key(raw: dict[str, object], env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(raw, env)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_the_example_file_documents_every_setting() -> None:
    example = tomllib.loads((Path(__file__).parents[1] / "bot.toml.example").read_text(encoding="utf-8"))
    hints = typing.get_type_hints(Settings)
    missing = [
        f"[{section.name}] {key.name}"
        for section in dataclasses.fields(Settings)
        for key in dataclasses.fields(hints[section.name])
        if key.name not in example.get(section.name, {})
    ]
    assert missing == []


def test_cors_origins_come_from_the_file_or_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text('[api]\ncors_origins = ["https://poker.example", "http://localhost:5173"]\n')
    assert load_settings(path, env={}).api.cors_origins == ("https://poker.example", "http://localhost:5173")
    assert load_settings(None, env={"TALLYBOT_API_CORS_ORIGINS": "*"}).api.cors_origins == ("*",)
    assert load_settings(None, env={}).api.cors_origins == ()


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"no such file \(run `tallybot init` to write one\)"):
        load_settings(tmp_path / "absent.toml", env={})


def test_broken_toml_is_reported_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "bot.toml"
    path.write_text("[api\nport = 1\n")
    with pytest.raises(SettingsError, match=r"bot.toml: not valid TOML"):
        load_settings(path, env={})
