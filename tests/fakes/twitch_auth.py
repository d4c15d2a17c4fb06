"""The fake Twitch's OAuth side (id.twitch.tv): app and user tokens, refresh, validate, and Helix's token check."""

import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.twitch_payloads import FakeUser

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
BOT_SCOPES = ("user:read:chat", "user:write:chat", "user:bot", "user:manage:whispers")
# twitchio refreshes any user token that expires within the hour as soon as it is added, so stay above that.
USER_TOKEN_SECONDS = 14_400
APP_TOKEN_SECONDS = 5_000_000


class Refused(Exception):
    """An error answer; the server renders it in Twitch's JSON shape."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


@dataclass
class Token:
    """An access token the fake issued; ``user_id`` is None for an app token."""

    user_id: str | None
    scopes: tuple[str, ...]
    expired: bool = False


class FakeTwitchAuth:
    """Issues, refreshes and checks tokens for one registered application."""

    def __init__(self, client_id: str, client_secret: str, users: dict[str, FakeUser]) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self._users = users
        self._tokens: dict[str, Token] = {}
        self._refresh: dict[str, str] = {}
        # Authorization codes handed out by the consent page: code -> (user id, scopes, redirect URI).
        self._codes: dict[str, tuple[str, tuple[str, ...], str]] = {}

    def issue(self, user_id: str | None, scopes: tuple[str, ...]) -> tuple[str, str]:
        """A new access token and its refresh token (the refresh token only works for user tokens)."""
        access, refresh = secrets.token_hex(15), secrets.token_hex(25)
        self._tokens[access] = Token(user_id, scopes)
        if user_id is not None:
            self._refresh[refresh] = access
        return access, refresh

    def authorize(self, user_id: str, scopes: tuple[str, ...], redirect_uri: str) -> str:
        """The code Twitch appends to ``redirect_uri`` once the user has agreed on the consent page."""
        code = secrets.token_hex(15)
        self._codes[code] = (user_id, scopes, redirect_uri)
        return code

    def expire(self, access_token: str) -> None:
        """Make a token invalid, as Twitch does when it expires; its refresh token keeps working."""
        self._tokens[access_token].expired = True

    def is_current_pair(self, access_token: str, refresh_token: str) -> bool:
        """True if both tokens are the newest pair for their user and still valid."""
        token = self._tokens.get(access_token)
        return token is not None and not token.expired and self._refresh.get(refresh_token) == access_token

    def granted(self, user_id: str, scope: str) -> bool:
        """Whether ``user_id`` ever authorized ``scope`` for this application."""
        return any(token.user_id == user_id and scope in token.scopes for token in self._tokens.values())

    def presented(self, request: web.Request) -> Token | None:
        """The token in the Authorization header, valid or not."""
        header = request.headers.get("Authorization", "")
        return self._tokens.get(header.removeprefix("Bearer ").removeprefix("OAuth "))

    def helix_token(self, request: web.Request) -> Token:
        """The valid token of a Helix request, or Twitch's 401."""
        if "Authorization" not in request.headers:
            raise Refused(401, "OAuth token is missing")
        token = self.presented(request)
        if token is None or token.expired:
            raise Refused(401, "Invalid OAuth token")
        if request.headers.get("Client-Id") != self.client_id:
            raise Refused(401, "Client ID and OAuth token do not match")
        return token

    async def token(self, request: web.Request) -> web.Response:
        """``POST /oauth2/token``: client credentials or refresh (twitchio puts the fields in the query)."""
        form = await request.post()
        params = {**request.query, **{key: str(value) for key, value in form.items()}}
        if params.get("client_id") != self.client_id:
            raise Refused(400, "invalid client")
        if params.get("client_secret") != self.client_secret:
            raise Refused(403, "invalid client secret")
        grant = params.get("grant_type")
        if grant == "client_credentials":
            access, _ = self.issue(None, ())
            return web.json_response({"access_token": access, "expires_in": APP_TOKEN_SECONDS, "token_type": "bearer"})
        if grant == "authorization_code":
            return self._exchange_code(params)
        if grant != "refresh_token":
            raise Refused(400, f"unsupported grant type {grant}")
        old = self._refresh.pop(params.get("refresh_token", ""), None)
        if old is None:
            raise Refused(400, "Invalid refresh token")
        previous = self._tokens[old]
        access, refresh = self.issue(previous.user_id, previous.scopes)
        answer = {"access_token": access, "refresh_token": refresh, "expires_in": USER_TOKEN_SECONDS}
        return web.json_response({**answer, "scope": list(previous.scopes), "token_type": "bearer"})

    def _exchange_code(self, params: dict[str, str]) -> web.Response:
        granted = self._codes.pop(params.get("code", ""), None)
        if granted is None:
            raise Refused(400, "Invalid authorization code")
        user_id, scopes, redirect_uri = granted
        if params.get("redirect_uri") != redirect_uri:
            raise Refused(400, "Parameter redirect_uri does not match registered URI")
        access, refresh = self.issue(user_id, scopes)
        answer = {"access_token": access, "refresh_token": refresh, "expires_in": USER_TOKEN_SECONDS}
        return web.json_response({**answer, "scope": list(scopes), "token_type": "bearer"})

    async def validate(self, request: web.Request) -> web.Response:
        """``GET /oauth2/validate``: who a token belongs to; app tokens have no login or user id."""
        token = self.presented(request)
        if token is None or token.expired:
            raise Refused(401, "invalid access token")
        data: dict[str, Any] = {"client_id": self.client_id, "scopes": list(token.scopes)}
        if token.user_id is None:
            return web.json_response({**data, "expires_in": APP_TOKEN_SECONDS})
        user = self._users[token.user_id]
        return web.json_response({**data, "login": user.login, "user_id": user.id, "expires_in": USER_TOKEN_SECONDS})
