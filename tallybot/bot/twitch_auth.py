"""``tallybot twitch-auth``: put the bot account's first Twitch token into the database.

It is Twitch's authorization code flow in two steps, with no web server of our own. Without
a code it prints the link to Twitch's consent page; whoever is signed in to Twitch as the bot
account opens it and agrees, and Twitch sends the browser to ``[twitch] oauth_redirect_uri``
with ``?code=...`` in the address. With that code it exchanges the code for a token pair,
checks whose it is and which scopes it holds, and stores it (encrypted when ``token_key``
is set). From then on the adapter refreshes the pair itself and stores each new one.
"""

from twitchio import HTTPException
from twitchio.authentication import OAuth, Scopes

from tallybot.bot.twitch_app import SCOPES
from tallybot.core.errors import Invalid
from tallybot.core.models import Platform
from tallybot.core.services import Services
from tallybot.settings import SettingsError, TwitchSettings


def _oauth(settings: TwitchSettings) -> OAuth:
    for key in ("client_id", "client_secret", "oauth_redirect_uri"):
        if not getattr(settings, key):
            raise SettingsError(f"[twitch] {key}: required by twitch-auth")
    return OAuth(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        redirect_uri=settings.oauth_redirect_uri,
        scopes=Scopes(SCOPES),
    )


async def consent_link(settings: TwitchSettings) -> str:
    """What to do first: the consent page's address, with the scopes the bot needs."""
    oauth = _oauth(settings)
    try:
        url = oauth.get_authorization_url().url
    finally:
        await oauth.close()
    return (
        f"Signed in to Twitch as the bot account, open\n  {url}\n"
        "agree, and copy the code from the address Twitch sends you to. Then run\n"
        "  tallybot twitch-auth --code CODE"
    )


async def store_code(services: Services, settings: TwitchSettings, code: str) -> str:
    """Exchange the consent page's code for the bot account's token pair and store it."""
    oauth = _oauth(settings)
    try:
        issued = await oauth.user_access_token(code)
        validated = await oauth.validate_token(issued.access_token)
    except HTTPException as refused:
        raise Invalid(f"Twitch did not accept the code: {refused.extra.get('message', refused.status)}") from None
    finally:
        await oauth.close()
    if validated.user_id is None:
        raise Invalid("Twitch did not say whose token that is: open the consent page again")
    missing = sorted(set(SCOPES) - set(validated.scopes))
    if missing:
        raise Invalid(f"The token lacks the scopes {', '.join(missing)}: agree to all of them on the consent page")
    await services.platform_tokens.save(Platform.TWITCH, validated.user_id, issued.access_token, issued.refresh_token)
    stored = f"Stored the Twitch token of {validated.login} (user id {validated.user_id})."
    if validated.user_id != settings.bot_id:
        stored += f" Note: [twitch] bot_id is {settings.bot_id or 'not set'}; the bot chats as that user."
    return stored
