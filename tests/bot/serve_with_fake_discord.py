"""``serve()`` as ``tallybot run`` runs it, with discord.py pointed at a fake Discord in the same process.

Run as ``python -m tests.bot.serve_with_fake_discord <bot.toml> [settle seconds]`` by the
shutdown tests: it prints ``ready`` once the Discord adapter has answered a command (and
then ``settle`` seconds have passed), serves until SIGINT or SIGTERM, and reports on
stderr any task still pending after ``serve()`` returned.
"""

import asyncio
import logging
import sys
from pathlib import Path

from tallybot.bot.__main__ import serve
from tallybot.settings import load_settings
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_discord_payloads import FakeGuild, FakeUser

HOST = FakeUser(id=900_000_000_000_000_011, name="ana", host=True)


async def main(config: Path, settle: float) -> None:
    """Serve with the fake Discord until a stop signal."""
    settings = load_settings(config, env={})
    guild = FakeGuild(members=[HOST])
    async with FakeDiscord(guild, token=settings.discord.token, timeout=30) as fake:
        with fake.patch():
            serving = asyncio.create_task(serve(settings))
            await fake.wait_until_connected()
            await fake.send_message(guild.first_channel_id, HOST, "!night start")
            await fake.wait_for_sent(channel_id=guild.first_channel_id, within=30)
            await asyncio.sleep(settle)
            print("ready", flush=True)
            await serving
    pending = asyncio.all_tasks() - {asyncio.current_task()}
    if pending:
        print(f"pending after serve(): {sorted(repr(task.get_coro()) for task in pending)}", file=sys.stderr)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(main(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0))
