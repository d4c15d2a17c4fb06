"""The [chat] section of bot.toml."""

import pytest

from tallybot.settings import ChatSettings, SettingsError, parse_settings


def test_the_chat_section_is_read_with_its_defaults() -> None:
    assert parse_settings({}, {}).chat == ChatSettings(prefix="!", cooldown_seconds=10.0, commands_per_cooldown=5)
    chat = parse_settings({"chat": {"prefix": "?", "cooldown_seconds": 30}}, {"TALLYBOT_CHAT_PREFIX": "$tb"}).chat
    assert chat == ChatSettings(prefix="$tb", cooldown_seconds=30.0, commands_per_cooldown=5)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"prefix": ""}, "[chat] prefix: must be 1 to 5 characters, the first a sign such as '!', not ''"),
        ({"prefix": "tb"}, "[chat] prefix: must be 1 to 5 characters, the first a sign such as '!', not 'tb'"),
        ({"prefix": "@"}, "[chat] prefix: must be 1 to 5 characters, the first a sign such as '!', not '@'"),
        ({"prefix": "! "}, "[chat] prefix: must be 1 to 5 characters, the first a sign such as '!', not '! '"),
        ({"prefix": "!!!!!!"}, "[chat] prefix: must be 1 to 5 characters, the first a sign such as '!', not '!!!!!!'"),
        ({"cooldown_seconds": 0}, "[chat] cooldown_seconds: must be greater than 0"),
        ({"commands_per_cooldown": 1.5}, "[chat] commands_per_cooldown: must be a whole number, not 1.5"),
        ({"colour": "red"}, "[chat] colour: unknown key (known keys: commands_per_cooldown, cooldown_seconds, prefix)"),
    ],
)
def test_a_bad_chat_setting_names_its_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError) as bad:
        parse_settings({"chat": raw}, {})
    assert str(bad.value) == message
