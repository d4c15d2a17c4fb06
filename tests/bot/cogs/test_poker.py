"""A planning-poker round on Discord: prompt with card buttons, hidden votes, and the reveal posted by itself."""

from tallybot.bot.discord_app import TallyBot
from tests.bot.cogs.conftest import ANA, ANNOUNCEMENTS, BO, CY, GENERAL
from tests.fakes.fake_discord import FakeDiscord

CARDS = ["0", "1", "2", "3", "5", "8", "13", "20", "40", "100", "?", "☕️"]


async def test_a_full_round_keeps_votes_hidden_and_posts_the_reveal_when_the_last_vote_is_in(
    fake: FakeDiscord, bot: TallyBot
) -> None:
    here = await fake.send_command(ANA, "announce here")
    assert (await fake.wait_for_sent(interaction_id=here)).ephemeral is False
    started = await fake.send_command(ANA, "poker start")
    start = await fake.wait_for_sent(interaction_id=started)
    assert start.content is not None
    assert start.content.startswith("ana started planning poker ")
    await fake.wait_for_sent(interaction_id=await fake.send_command(BO, "poker join"))
    await fake.send_message(GENERAL, CY, "!poker join")
    await fake.wait_for_sent(channel_id=GENERAL)

    asked = await fake.send_command(ANA, "prompt", {"story": "Login page"})
    prompt = await fake.wait_for_sent(interaction_id=asked)
    assert (prompt.kind, prompt.ephemeral) == ("response", False)
    assert prompt.content == f"Estimating: Login page | Vote with !vote <card>: {' '.join(CARDS)}"
    assert prompt.custom_ids == [f"tallybot:choice:vote:{card}" for card in CARDS]

    voted = await fake.send_command(ANA, "vote", {"card": "5"})
    secret = await fake.wait_for_sent(interaction_id=voted)
    progress = await fake.wait_for_sent(interaction_id=voted)
    assert (secret.kind, secret.content, secret.ephemeral) == (
        "response",
        "You voted 5 (hidden until the reveal).",
        True,
    )
    assert (progress.kind, progress.content, progress.ephemeral) == ("followup", "ana has voted (1/3)", False)
    assert progress.custom_ids == prompt.custom_ids

    clicked = await fake.click(BO, prompt, "tallybot:choice:vote:8")
    secret = await fake.wait_for_sent(interaction_id=clicked)
    progress = await fake.wait_for_sent(interaction_id=clicked)
    assert (secret.content, secret.ephemeral) == ("You voted 8 (hidden until the reveal).", True)
    assert (progress.content, progress.ephemeral) == ("bo has voted (2/3)", False)

    last = await fake.send_message(GENERAL, CY, "!vote 5")
    dm = await fake.wait_for_dm(CY)
    # The reply and the announcement travel separately: either may come first.
    posts = [await fake.wait_for_sent(channel_id=GENERAL) for _ in range(2)]
    [public] = [post for post in posts if post.reply_to == last]
    [reveal] = [post for post in posts if post.reply_to is None]

    assert dm.content == "You voted 5."
    assert (public.reply_to, public.content) == (last, "cy has voted (3/3). Everyone has voted: the cards are up!")
    assert reveal.content == (
        "🃏 Cards are up for “Login page”: ana 5, bo 8, cy 5. Median 5. No consensus; furthest from the median: bo."
    )
    secrets = [sent for sent in fake.sent if (sent.content or "").startswith("You voted")]
    assert [(sent.ephemeral, sent.channel_id) for sent in secrets] == [
        (True, GENERAL),
        (True, GENERAL),
        (False, fake.dm_channel_id(CY.id)),
    ]


async def test_only_the_owner_reveals_and_a_member_is_told_so_privately(fake: FakeDiscord, bot: TallyBot) -> None:
    start = await fake.wait_for_sent(interaction_id=await fake.send_command(ANA, "poker start"))
    assert start.content is not None
    session_id = start.content.split()[4]
    await fake.wait_for_sent(interaction_id=await fake.send_command(BO, "poker join"))
    await fake.wait_for_sent(interaction_id=await fake.send_command(ANA, "prompt", {"story": "Search"}))

    asked = await fake.send_command(BO, "reveal")

    answer = await fake.wait_for_sent(interaction_id=asked)
    assert (answer.content, answer.ephemeral) == (f"Only the owner of session {session_id} can do that", True)


async def test_with_no_announcement_channel_the_owners_reveal_is_posted_where_the_session_started(
    fake: FakeDiscord, bot: TallyBot
) -> None:
    await fake.wait_for_sent(interaction_id=await fake.send_command(ANA, "poker start", channel_id=ANNOUNCEMENTS))
    await fake.wait_for_sent(interaction_id=await fake.send_command(BO, "poker join"))
    await fake.wait_for_sent(interaction_id=await fake.send_command(ANA, "prompt", {"story": "Search"}))
    voted = await fake.send_command(BO, "vote", {"card": "3"})
    await fake.wait_for_sent(interaction_id=voted)
    await fake.wait_for_sent(interaction_id=voted)

    asked = await fake.send_command(ANA, "reveal", channel_id=GENERAL)
    answer = await fake.wait_for_sent(interaction_id=asked)
    reveal = await fake.wait_for_sent(channel_id=ANNOUNCEMENTS, kind="message")

    assert (answer.content, answer.ephemeral) == ("✅", True)
    assert (reveal.content, reveal.reply_to) == ("🃏 Cards are up for “Search”: bo 3. Median 3. Consensus!", None)
