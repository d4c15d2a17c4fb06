"""When Twitch refuses a whisper, the channel is told so, and never shown the secret."""

from collections.abc import Sequence

import pytest

from tests.bot.components.conftest import ALICE, TwitchChat
from tests.fakes.fake_twitch import BOT_SCOPES


@pytest.fixture
def bot_scopes() -> Sequence[str]:
    # Without this scope Twitch refuses every whisper, as it does for a bot without a verified phone number.
    return [scope for scope in BOT_SCOPES if scope != "user:manage:whispers"]


async def test_a_refused_whisper_is_followed_by_a_public_line_without_the_secret(twitch: TwitchChat) -> None:
    asked = await twitch.say(ALICE, "!link")
    first = await twitch.reply(asked)
    second = await twitch.reply(asked)

    assert (first.message, second.message) == (
        "I sent you a one-time link code in a private message.",
        "@Alice Twitch would not let me whisper you. Allow whispers from strangers "
        "(Settings, Security and Privacy), then try again.",
    )
    assert twitch.fake.whispers == []
