"""Account chat commands: ``link`` a chat identity to an account, and get a personal ``token``.

Both answer privately (a Discord DM or ephemeral reply, a Twitch whisper), with a short
public line saying so. How a link code is redeemed is described in docs/chat.md.
"""

from tallybot.bot.commands.types import Command, Invocation, NoArguments, Reply, no_arguments, provider_for

REDEEM_PATH = "/api/start-session-with-confirmation-code"


async def _link(invocation: Invocation, _: NoArguments) -> Reply:
    message = invocation.message
    issued = await invocation.services.chat.issue_link_code(
        message.community, provider_for(message.platform), message.author.id, message.author.name, message.role
    )
    return Reply(
        public="I sent you a one-time link code in a private message.",
        private=(
            f"Your tallybot link code is {issued.code}. It works once, within {issued.valid_minutes} minutes: "
            f'POST {{"email_address": "<your address>", "confirmation_code": "{issued.code}"}} to {REDEEM_PATH}. '
            "If that address already has an account, also send that account's session as "
            "'Authorization: Bearer <session_uuid>'."
        ),
    )


async def _token(invocation: Invocation, _: NoArguments) -> Reply:
    message = invocation.message
    issued = await invocation.services.chat.personal_session(
        message.community, provider_for(message.platform), message.author.id, message.author.name, message.role
    )
    return Reply(
        public="I sent you a personal API token in a private message.",
        private=(
            f"Your personal API token: {issued.token} . Send it as 'Authorization: Bearer <token>'. "
            f"It acts as you, with your role here, until {issued.session.expires:%Y-%m-%d}. Keep it secret."
        ),
    )


LINK = Command(
    "link", "link", "get a code (privately) to link your chat account to an account", no_arguments, _link, private=True
)
TOKEN = Command("token", "token", "get a personal API token (privately)", no_arguments, _token, private=True)

COMMANDS = (LINK, TOKEN)
