"""Announcements reach Twitch chat: changes made through the API are said in the channel of their community."""

from tallybot.core.gamenight import Game, GameFilter
from tallybot.core.models import Community, Platform
from tests.bot.components.conftest import STREAMER, TwitchChat
from tests.gamenight_helpers import call, host_headers
from tests.helpers import Client

VOTE_HINT = "Vote with thisgame++ or thisgame--."


async def _quixort(twitch: TwitchChat, community: Community) -> Game:
    games = await twitch.services.games.list_games(community, GameFilter())
    [game] = [game for game in games if game.details.title == "Quixort"]
    return game


async def test_a_game_added_and_a_night_closed_through_the_api_are_announced_in_the_broadcasters_chat(
    twitch: TwitchChat, client: Client
) -> None:
    community = await twitch.community()
    host = await host_headers(twitch.services, community)
    base = f"/c/{community.slug}/api"
    game = await _quixort(twitch, community)
    session = await call(client, "POST", f"{base}/sessions", host, {}, status=201)
    await call(client, "POST", f"{base}/sessions/{session['id']}/games", host, {"game_id": game.id}, status=201)
    added = await twitch.announcement()
    await call(client, "POST", f"{base}/sessions/{session['id']}/close", host, {})
    closed = await twitch.announcement()

    assert community.platform is Platform.TWITCH
    assert added == f"🎮 Now playing: Quixort (Jackbox Party Pack 9). {VOTE_HINT}"
    assert closed == f"🌙 Game night #{session['id']} is over: 1 game played. Thanks for playing!"


async def test_changes_in_another_community_are_not_announced_here(twitch: TwitchChat, client: Client) -> None:
    elsewhere = await host_headers(twitch.services)
    game = await _quixort(twitch, twitch.services.default_community)
    session = await call(client, "POST", "/api/sessions", elsewhere, {}, status=201)
    await call(client, "POST", f"/api/sessions/{session['id']}/games", elsewhere, {"game_id": game.id}, status=201)
    # Events are announced in order: once this channel's own announcement is out, the other one was passed over.
    community = await twitch.community()
    here = await host_headers(twitch.services, community)
    night = await call(client, "POST", f"/c/{community.slug}/api/sessions", here, {}, status=201)
    await call(client, "POST", f"/c/{community.slug}/api/sessions/{night['id']}/close", here, {})
    closed = await twitch.announcement()

    assert twitch.lines() == [closed]
    assert [sent.broadcaster_id for sent in twitch.fake.chat_messages] == [STREAMER.id]
