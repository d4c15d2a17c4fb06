"""Signing in with GitHub, Discord or Twitch: the OAuth code exchange and the person's profile.

The provider's access token lives only for the length of ``profile()``: it fetches the
profile (and, for GitHub, the person's teams and their members) and is then dropped. It
is never stored, logged or handed to a client.
"""

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tallybot.core.coffee import OAuthProfile, OAuthTeam, OAuthUser, invalid
from tallybot.core.errors import Unavailable
from tallybot.core.models import Provider
from tallybot.settings import Settings

log = logging.getLogger(__name__)

_SCOPES = {Provider.GITHUB: "read:org", Provider.DISCORD: "identify", Provider.TWITCH: ""}
_NAMES = {Provider.GITHUB: "GitHub", Provider.DISCORD: "Discord", Provider.TWITCH: "Twitch"}
_DISCORD_AVATARS = "https://cdn.discordapp.com/avatars"


@dataclass(frozen=True)
class ProviderEndpoints:
    """One provider's OAuth client and URLs, from bot.toml."""

    client_id: str
    client_secret: str
    redirect_uri: str
    authorize_url: str
    token_url: str
    user_url: str


class _Unreadable(Exception):
    """The provider answered with something that is not what its API documents."""


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Unreadable(key)
    return str(value)


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _object(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Unreadable("expected an object")
    return value


def _user(provider: Provider, data: Any) -> OAuthUser:
    if provider is Provider.TWITCH:
        users = _object(data).get("data")
        if not isinstance(users, list) or not users:
            raise _Unreadable("data")
        user = _object(users[0])
        login = _text(user, "login")
        name = _optional_text(user, "display_name") or login
        return OAuthUser(_text(user, "id"), login, name, _optional_text(user, "profile_image_url"))
    user = _object(data)
    if provider is Provider.DISCORD:
        user_id, login = _text(user, "id"), _text(user, "username")
        avatar = _optional_text(user, "avatar")
        avatar_url = f"{_DISCORD_AVATARS}/{user_id}/{avatar}.png" if avatar else None
        return OAuthUser(user_id, login, _optional_text(user, "global_name") or login, avatar_url)
    login = _text(user, "login")
    return OAuthUser(
        _text(user, "id"), login, _optional_text(user, "name") or login, _optional_text(user, "avatar_url")
    )


class HttpOAuthClient:
    """Implements the core's ``OAuthClient`` port over HTTP."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        endpoints: Mapping[Provider, ProviderEndpoints],
        github_api_url: str,
        *,
        max_pages: int = 10,
    ) -> None:
        self._session = session
        self._endpoints = dict(endpoints)
        self._github_api_url = github_api_url.rstrip("/")
        self._max_pages = max_pages

    def authorize_url(self, provider: Provider) -> str:
        """The provider's consent page for this OAuth client."""
        endpoints = self._configured(provider)
        query = {"client_id": endpoints.client_id, "response_type": "code", "scope": _SCOPES[provider]}
        if endpoints.redirect_uri:
            query["redirect_uri"] = endpoints.redirect_uri
        return f"{endpoints.authorize_url}?{urlencode(query)}"

    async def profile(self, provider: Provider, code: str) -> OAuthProfile:
        """Exchange a code for the person's profile, and their teams when the provider is GitHub."""
        endpoints = self._configured(provider)
        try:
            token = await self._exchange(provider, endpoints, code)
            user = _user(provider, await self._get(provider, endpoints.user_url, token))
            teams = await self._teams(token) if provider is Provider.GITHUB else ()
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("%s sign-in failed: %s", provider.value, type(exc).__name__)
            raise Unavailable(f"{_NAMES[provider]} could not be reached just now. Please try again.") from None
        except (_Unreadable, ValueError):
            log.warning("%s sent an unexpected answer during sign-in", provider.value)
            raise Unavailable(f"{_NAMES[provider]} sent an answer we could not read.") from None
        return OAuthProfile(provider, user, teams)

    def _configured(self, provider: Provider) -> ProviderEndpoints:
        endpoints = self._endpoints.get(provider)
        if endpoints is None or not endpoints.client_id:
            raise invalid({"provider": [f"{provider.value} sign-in is not configured on this server"]})
        return endpoints

    async def _exchange(self, provider: Provider, endpoints: ProviderEndpoints, code: str) -> str:
        form = {
            "client_id": endpoints.client_id,
            "client_secret": endpoints.client_secret,
            "code": code,
            "grant_type": "authorization_code",
        }
        if endpoints.redirect_uri:
            form["redirect_uri"] = endpoints.redirect_uri
        headers = {"Accept": "application/json"}
        async with self._session.post(endpoints.token_url, data=form, headers=headers) as response:
            if response.status >= 500:
                response.raise_for_status()
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = None
        token = answer.get("access_token") if isinstance(answer, dict) else None
        # GitHub answers a bad code with 200 and an "error" field; the others with a 400.
        if response.status >= 400 or not isinstance(token, str) or not token:
            raise invalid({"code": [f"was not accepted by {_NAMES[provider]}"]})
        return token

    async def _get(self, provider: Provider, url: str, token: str) -> Any:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if provider is Provider.TWITCH:
            headers["Client-Id"] = self._endpoints[provider].client_id
        async with self._session.get(url, headers=headers) as response:
            response.raise_for_status()
            return await response.json(content_type=None)

    async def _pages(self, url: str, token: str) -> list[Any]:
        """Every item of a paginated GitHub list, following ``Link: rel="next"`` a bounded number of times."""
        items: list[Any] = []
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
        next_url: str | None = f"{url}?per_page=100"
        for _ in range(self._max_pages):
            if next_url is None:
                break
            async with self._session.get(next_url, headers=headers) as response:
                response.raise_for_status()
                page = await response.json(content_type=None)
                link = response.links.get("next")
            if not isinstance(page, list):
                raise _Unreadable("expected a list")
            items.extend(page)
            next_url = str(link["url"]) if link else None
        return items

    async def _teams(self, token: str) -> tuple[OAuthTeam, ...]:
        teams = [_object(team) for team in await self._pages(f"{self._github_api_url}/user/teams", token)]

        async def members(team: Mapping[str, Any]) -> tuple[OAuthUser, ...]:
            org = _text(_object(team.get("organization")), "login")
            url = f"{self._github_api_url}/orgs/{org}/teams/{_text(team, 'slug')}/members"
            found = [_object(member) for member in await self._pages(url, token)]
            return tuple(
                OAuthUser(_text(m, "id"), _text(m, "login"), _text(m, "login"), _optional_text(m, "avatar_url"))
                for m in found
            )

        member_lists = await asyncio.gather(*(members(team) for team in teams))
        return tuple(
            OAuthTeam(
                int(_text(team, "id")), _text(team, "name"), _text(_object(team.get("organization")), "login"), found
            )
            for team, found in zip(teams, member_lists, strict=True)
        )


def build_oauth_client(settings: Settings, session: aiohttp.ClientSession) -> HttpOAuthClient:
    """An OAuth client for every provider bot.toml configures."""
    github, discord, twitch = settings.github, settings.discord, settings.twitch
    endpoints = {
        Provider.GITHUB: ProviderEndpoints(
            github.client_id,
            github.client_secret,
            github.redirect_uri,
            github.authorize_url,
            github.token_url,
            github.user_url,
        ),
        Provider.DISCORD: ProviderEndpoints(
            discord.oauth_client_id,
            discord.oauth_client_secret,
            discord.oauth_redirect_uri,
            discord.oauth_authorize_url,
            discord.oauth_token_url,
            discord.oauth_user_url,
        ),
        Provider.TWITCH: ProviderEndpoints(
            twitch.client_id,
            twitch.client_secret,
            twitch.oauth_redirect_uri,
            twitch.oauth_authorize_url,
            twitch.oauth_token_url,
            twitch.oauth_user_url,
        ),
    }
    return HttpOAuthClient(session, endpoints, github.api_url)
