"""Every server message goes to the command layer: ``thisgame++`` votes and ``!`` commands alike."""

import discord
from discord.ext import commands

from tallybot.bot.cogs import errors
from tallybot.bot.cogs.replies import reply_to
from tallybot.bot.discord_app import TallyBot


class ChatListener(commands.Cog):
    """Reads server chat (it needs the message-content intent) and answers through the command layer."""

    def __init__(self, bot: TallyBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Count a vote (✅ when it counts), run a command, or let plain chat pass.

        Bots, the bot itself included, are never answered; nor are DMs, which belong to no community.
        """
        sent_at = self.bot.services.clock()
        if message.author.bot or message.guild is None or not self.bot.accepting():
            return
        try:
            chat_message = await self.bot.chat_message(
                guild=message.guild,
                channel_id=message.channel.id,
                author=message.author,
                text=message.content,
                mentions=list(message.mentions),
                sent_at=sent_at,
            )
            reply = await self.bot.chat.on_message(chat_message)
            if reply is not None:
                await reply_to(message, reply)
        except Exception as error:
            await errors.answer_message(message, error)


async def setup(bot: TallyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(ChatListener(bot))
