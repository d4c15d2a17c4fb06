"""The fake Discord serves a real discord.py ``commands.Bot``: messages, slash commands, buttons, DMs, reactions."""

import asyncio
import threading
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_discord_payloads import FakeGuild, FakeUser

ANA = FakeUser(id=900_000_000_000_000_011, name="ana", host=True)
BO = FakeUser(id=900_000_000_000_000_012, name="bo")
GAMES = ["Quiplash 3", "Quixort", "Fibbage 4", "Drawful 2"]


class CardView(discord.ui.View):
    """Two buttons: "3" edits the message it is on, "5" is answered ephemerally to the clicker."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="3", custom_id="card:3")
    async def three(self, interaction: discord.Interaction, button: discord.ui.Button["CardView"]) -> None:
        self.stop()
        await interaction.response.edit_message(content=f"{interaction.user.name} picked 3", view=None)

    @discord.ui.button(label="5", custom_id="card:5")
    async def five(self, interaction: discord.Interaction, button: discord.ui.Button["CardView"]) -> None:
        await interaction.response.send_message(f"{interaction.user.name} voted 5", ephemeral=True)


class Demo(commands.Cog):
    """A tiny cog that exercises every kind of traffic the fake serves."""

    poker = app_commands.Group(name="poker", description="Planning poker")

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if message.content == "hello":
            await message.reply(f"hi {message.author.name}", mention_author=False)
        elif message.content == "react":
            await message.add_reaction("👍")
        elif message.content == "dm me":
            await message.author.send("a secret code")
        elif message.content == "cards":
            await message.channel.send("pick a card", view=CardView())
        elif message.content == "draft":
            async with message.channel.typing():
                draft = await message.channel.send("draft")
            await draft.edit(content="final")
            fetched = await message.channel.fetch_message(draft.id)
            await fetched.delete()
        elif message.mentions:
            await message.channel.send(f"mentioned {message.mentions[0].name}")

    @app_commands.command(description="Say who you are")
    async def whoami(self, interaction: discord.Interaction) -> None:
        role = "a host" if interaction.permissions.manage_guild else "a member"
        await interaction.response.send_message(f"{interaction.user.name} is {role}", ephemeral=True)

    @app_commands.command(description="Pick a game")
    async def pick(self, interaction: discord.Interaction, game: str, players: int) -> None:
        await interaction.response.send_message(f"{game} for {players}")

    @pick.autocomplete("game")
    async def pick_game(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=g, value=g) for g in GAMES if g.lower().startswith(current.lower())]

    @poker.command(description="Give a card to someone")
    async def give(self, interaction: discord.Interaction, who: discord.Member, card: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content=f"{who.display_name} gets {card} ({len(who.roles)} roles)")
        await interaction.followup.send("done", ephemeral=True)


def make_bot() -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True
    return commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(FakeGuild(members=[ANA, BO])) as fake:
        with fake.patch():
            yield fake
    await asyncio.sleep(0)
    assert asyncio.all_tasks() == {asyncio.current_task()}
    keep_alives = [t for t in threading.enumerate() if isinstance(t, discord.gateway.KeepAliveHandler)]
    for thread in keep_alives:
        thread.join(timeout=1)
    assert not any(thread.is_alive() for thread in keep_alives)


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[commands.Bot]:
    bot = make_bot()
    await bot.add_cog(Demo())
    async with fake.running(bot):
        yield bot
    assert bot.is_closed()


@pytest.fixture
def channel(fake: FakeDiscord) -> int:
    return fake.guild.first_channel_id


async def test_bot_identifies_with_its_intents_and_sees_the_guild(fake: FakeDiscord, bot: commands.Bot) -> None:
    assert fake.identify is not None
    intents = discord.Intents._from_value(fake.identify["intents"])
    assert (intents.message_content, intents.members, intents.guilds) == (True, True, True)
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None
    assert sorted(m.name for m in await guild.chunk()) == ["ana", "bo", "tallybot"]
    assert [m.name for m in await guild.query_members("an")] == ["ana"]
    ana, bo = guild.get_member(ANA.id), guild.get_member(BO.id)
    assert ana is not None
    assert bo is not None
    assert (ana.guild_permissions.manage_guild, bo.guild_permissions.manage_guild) == (True, False)
    assert [c.name for c in guild.text_channels] == ["general", "announcements"]


async def test_message_listener_reply_lands_in_the_channel_as_a_reply(
    fake: FakeDiscord, bot: commands.Bot, channel: int
) -> None:
    asked = await fake.send_message(channel, BO, "hello")

    reply = await fake.wait_for_sent(channel_id=channel)

    assert (reply.kind, reply.content, reply.reply_to, reply.ephemeral) == ("message", "hi bo", asked, False)
    assert reply.allowed_mentions == {"parse": ["everyone", "users", "roles"], "replied_user": False}


async def test_a_user_ping_in_content_becomes_a_mention(fake: FakeDiscord, bot: commands.Bot, channel: int) -> None:
    await fake.send_message(channel, BO, f"thanks {ANA.mention}")

    reply = await fake.wait_for_sent(channel_id=channel)

    assert reply.content == "mentioned ana"


async def test_slash_command_answer_is_ephemeral_and_knows_hosts(fake: FakeDiscord, bot: commands.Bot) -> None:
    by_host = await fake.send_command(ANA, "whoami")
    by_member = await fake.send_command(BO, "whoami")

    host_reply = await fake.wait_for_sent(interaction_id=by_host)
    member_reply = await fake.wait_for_sent(interaction_id=by_member)

    assert (host_reply.kind, host_reply.content, host_reply.ephemeral) == ("response", "ana is a host", True)
    assert (member_reply.content, member_reply.ephemeral) == ("bo is a member", True)
    assert host_reply.channel_id == fake.guild.first_channel_id
    callback = await fake.wait_for_callback(by_host)
    assert (callback.type, callback.data["flags"]) == (4, 64)


async def test_slash_command_options_arrive_typed(fake: FakeDiscord, bot: commands.Bot) -> None:
    asked = await fake.send_command(BO, "pick", {"game": "Quixort", "players": 4})

    reply = await fake.wait_for_sent(interaction_id=asked)

    assert (reply.content, reply.ephemeral) == ("Quixort for 4", False)


async def test_autocomplete_answers_with_choices(fake: FakeDiscord, bot: commands.Bot) -> None:
    asked = await fake.send_autocomplete(BO, "pick", {"game": "qui", "players": 4}, focused="game")

    callback = await fake.wait_for_callback(asked)

    assert callback.type == 8
    assert callback.data == {
        "choices": [{"name": "Quiplash 3", "value": "Quiplash 3"}, {"name": "Quixort", "value": "Quixort"}]
    }
    assert fake.sent == []


async def test_deferred_subcommand_edits_its_response_and_follows_up(fake: FakeDiscord, bot: commands.Bot) -> None:
    asked = await fake.send_command(ANA, "poker give", {"who": BO, "card": "8"})

    deferral = await fake.wait_for_callback(asked)
    edit = await fake.wait_for_sent(interaction_id=asked)
    followup = await fake.wait_for_sent(interaction_id=asked)

    assert (deferral.type, deferral.data) == (5, {"flags": 64})
    assert (edit.kind, edit.content, edit.ephemeral) == ("edit", "bo gets 8 (1 roles)", True)
    assert (followup.kind, followup.content, followup.ephemeral) == ("followup", "done", True)


async def test_button_click_is_answered_to_the_clicker(fake: FakeDiscord, bot: commands.Bot, channel: int) -> None:
    await fake.send_message(channel, BO, "cards")
    cards = await fake.wait_for_sent(channel_id=channel)
    assert (cards.content, cards.custom_ids) == ("pick a card", ["card:3", "card:5"])

    clicked = await fake.click(ANA, cards, "card:5")

    answer = await fake.wait_for_sent(interaction_id=clicked)
    assert (answer.kind, answer.content, answer.ephemeral) == ("response", "ana voted 5", True)


async def test_button_click_can_update_the_message_it_is_on(fake: FakeDiscord, bot: commands.Bot, channel: int) -> None:
    await fake.send_message(channel, BO, "cards")
    cards = await fake.wait_for_sent(channel_id=channel)

    clicked = await fake.click(BO, cards, "card:3")

    update = await fake.wait_for_sent(interaction_id=clicked)
    assert (update.kind, update.message_id, update.content, update.components) == (
        "update",
        cards.message_id,
        "bo picked 3",
        [],
    )


async def test_dm_reaches_the_user(fake: FakeDiscord, bot: commands.Bot, channel: int) -> None:
    await fake.send_message(channel, BO, "dm me")

    dm = await fake.wait_for_dm(BO)

    assert (dm.content, dm.channel_id) == ("a secret code", fake.dm_channel_id(BO.id))
    assert [s.channel_id for s in fake.sent] == [fake.dm_channel_id(BO.id)]


async def test_direct_messages_and_commands_in_a_dm_are_answered_there(fake: FakeDiscord, bot: commands.Bot) -> None:
    dm = fake.dm_channel_id(BO.id)

    await fake.send_message(dm, BO, "hello")
    asked = await fake.send_command(BO, "whoami", channel_id=dm)

    assert (await fake.wait_for_dm(BO)).content == "hi bo"
    answer = await fake.wait_for_sent(interaction_id=asked)
    assert (answer.channel_id, answer.content, answer.ephemeral) == (dm, "bo is a member", True)


async def test_bot_can_edit_fetch_and_delete_its_messages(fake: FakeDiscord, bot: commands.Bot, channel: int) -> None:
    await fake.send_message(channel, BO, "draft")

    draft = await fake.wait_for_sent(channel_id=channel)
    edit = await fake.wait_for_sent(channel_id=channel)

    assert (draft.kind, draft.content) == ("message", "draft")
    assert (edit.kind, edit.message_id, edit.content) == ("edit", draft.message_id, "final")
    await fake.wait_until(lambda: fake.deleted == [draft.message_id])


async def test_bot_can_fetch_users_members_and_channels(fake: FakeDiscord, bot: commands.Bot, channel: int) -> None:
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None

    user = await bot.fetch_user(BO.id)
    member = await guild.fetch_member(ANA.id)
    fetched = await bot.fetch_channel(channel)

    assert (user.name, member.name, member.guild_permissions.manage_guild) == ("bo", "ana", True)
    assert isinstance(fetched, discord.TextChannel)
    assert fetched.name == "general"
    with pytest.raises(discord.NotFound):
        await bot.fetch_channel(123)


async def test_reaction_is_added_to_the_message(fake: FakeDiscord, bot: commands.Bot, channel: int) -> None:
    asked = await fake.send_message(channel, BO, "react")

    reaction = await fake.wait_for_reaction(asked)

    assert (reaction.channel_id, reaction.emoji) == (channel, "👍")
    assert fake.sent == []


async def test_command_sync_registers_global_and_guild_commands(fake: FakeDiscord, bot: commands.Bot) -> None:
    guild = discord.Object(fake.guild.id)
    bot.tree.copy_global_to(guild=guild)

    synced = await bot.tree.sync()
    await bot.tree.sync(guild=guild)

    assert sorted(c.name for c in synced) == ["pick", "poker", "whoami"]
    assert sorted(c["name"] for c in fake.commands[None]) == ["pick", "poker", "whoami"]
    assert sorted(c["name"] for c in fake.commands[fake.guild.id]) == ["pick", "poker", "whoami"]
    fetched = await bot.tree.fetch_commands(guild=guild)
    assert {c.id for c in fetched} == {int(c["id"]) for c in fake.commands[fake.guild.id]}
    asked = await fake.send_command(BO, "whoami")
    assert (await fake.wait_for_sent(interaction_id=asked)).content == "bo is a member"


async def test_unknown_route_is_recorded_and_answered_404(fake: FakeDiscord, bot: commands.Bot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/voice/regions"))

    assert fake.unknown == ["GET /api/v10/voice/regions"]
    fake.unknown.clear()


async def test_stop_fails_when_the_bot_used_an_unknown_route() -> None:
    fake = FakeDiscord()
    await fake.start()
    async with aiohttp.ClientSession() as session, session.get(f"{fake.api_url}/nowhere") as response:
        assert (response.status, await response.json()) == (404, {"message": "404: Not Found", "code": 0})

    with pytest.raises(AssertionError, match="nowhere"):
        await fake.stop()


async def test_a_wrong_token_fails_login(fake: FakeDiscord) -> None:
    bot = make_bot()
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()


async def test_waiting_for_something_never_sent_fails_clearly(fake: FakeDiscord, bot: commands.Bot) -> None:
    with pytest.raises(AssertionError, match=r"no matching message within 0\.05s"):
        await fake.wait_for_sent(channel_id=fake.guild.first_channel_id, within=0.05)
