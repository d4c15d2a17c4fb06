"""A fake OAuth provider (GitHub, Discord and Twitch in one server) for tests on loopback.

It speaks just enough of each provider's API: the code-for-token exchange with each
one's way of refusing a bad code, the user profile, and GitHub's paginated teams and
team members (with ``Link: rel="next"``).
"""

import secrets
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

CLIENT_ID = "tallybot-client"
CLIENT_SECRET = "tallybot-secret"
REDIRECT_URI = "https://coffee.example/callback"


@dataclass
class FakeUser:
    """Someone with an account at the fake provider."""

    id: int | str
    login: str
    name: str | None
    avatar: str | None = None


@dataclass
class FakeTeam:
    """A GitHub team."""

    id: int
    name: str
    slug: str
    org: str
    members: list[str]


@dataclass
class FakeProvider:
    """The provider's state; tests change it and read what it received."""

    users: dict[str, dict[str, FakeUser]] = field(default_factory=dict)
    teams: list[FakeTeam] = field(default_factory=list)
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    page_size: int = 2
    failing: bool = False

    def code_for(self, provider: str, login: str) -> str:
        """A single-use authorization code that signs ``login`` in at ``provider``."""
        code = secrets.token_hex(8)
        self.codes[code] = (provider, login)
        return code

    def issued_tokens(self) -> list[str]:
        """Every access token the provider handed out."""
        return list(self.tokens)


def _page(request: web.Request, items: list[dict[str, Any]], size: int) -> web.Response:
    page = int(request.query.get("page", "1"))
    per_page = min(int(request.query.get("per_page", "30")), size)
    chunk = items[(page - 1) * per_page : page * per_page]
    response = web.json_response(chunk)
    if page * per_page < len(items):
        url = request.url.update_query(page=str(page + 1))
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


def build_app(state: FakeProvider) -> web.Application:
    """The fake provider's routes, under /github, /discord and /twitch."""

    async def token(request: web.Request) -> web.Response:
        provider = request.match_info["provider"]
        form = {key: str(value) for key, value in (await request.post()).items()}
        state.token_requests.append(form)
        if state.failing:
            return web.json_response({"message": "down"}, status=503)
        grant = state.codes.pop(form.get("code", ""), None)
        valid = form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
        if provider != "github" and form.get("redirect_uri") != REDIRECT_URI:
            valid = False
        if grant is None or grant[0] != provider or not valid:
            if provider == "github":
                return web.json_response({"error": "bad_verification_code", "error_description": "bad code"})
            return web.json_response({"error": "invalid_grant"}, status=400)
        issued = secrets.token_hex(16)
        state.tokens[issued] = grant
        return web.json_response({"access_token": issued, "token_type": "bearer"})

    def holder(request: web.Request, provider: str) -> FakeUser:
        issued = request.headers.get("Authorization", "").removeprefix("Bearer ")
        grant = state.tokens.get(issued)
        if grant is None or grant[0] != provider:
            raise web.HTTPUnauthorized()
        return state.users[provider][grant[1]]

    async def github_user(request: web.Request) -> web.Response:
        user = holder(request, "github")
        return web.json_response({"id": user.id, "login": user.login, "name": user.name, "avatar_url": user.avatar})

    async def github_teams(request: web.Request) -> web.Response:
        user = holder(request, "github")
        mine = [
            {"id": t.id, "name": t.name, "slug": t.slug, "organization": {"login": t.org}}
            for t in state.teams
            if user.login in t.members
        ]
        return _page(request, mine, state.page_size)

    async def github_members(request: web.Request) -> web.Response:
        holder(request, "github")
        team = next(t for t in state.teams if t.slug == request.match_info["slug"])
        people = [state.users["github"][login] for login in team.members]
        return _page(request, [{"id": u.id, "login": u.login, "avatar_url": u.avatar} for u in people], state.page_size)

    async def discord_user(request: web.Request) -> web.Response:
        user = holder(request, "discord")
        return web.json_response(
            {"id": user.id, "username": user.login, "global_name": user.name, "avatar": user.avatar}
        )

    async def twitch_users(request: web.Request) -> web.Response:
        user = holder(request, "twitch")
        if request.headers.get("Client-Id") != CLIENT_ID:
            raise web.HTTPUnauthorized()
        found = {"id": str(user.id), "login": user.login, "display_name": user.name, "profile_image_url": user.avatar}
        return web.json_response({"data": [found]})

    app = web.Application()
    app.router.add_post("/{provider}/token", token)
    app.router.add_get("/github/user", github_user)
    app.router.add_get("/github/api/user/teams", github_teams)
    app.router.add_get("/github/api/orgs/{org}/teams/{slug}/members", github_members)
    app.router.add_get("/discord/users/@me", discord_user)
    app.router.add_get("/twitch/helix/users", twitch_users)
    return app
