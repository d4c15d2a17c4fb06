"""Doubled slashes in a path resolve as single ones, as the original server did.

The coffee app asks for ``/1//team/list``. The request is served in place, never redirected,
so a POST keeps its method and its body.
"""

import json
from typing import Any

from tallybot.core.models import Platform
from tallybot.core.services import Services
from tests.api.coffee.conftest import SignIn
from tests.helpers import Client
from tests.security.raw_http import exchange, request_head


async def answer(client: Client, method: str, path: str, token: str | None = None, **send: Any) -> tuple[int, Any]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = await client.request(method, path, headers=headers, allow_redirects=False, **send)
    return response.status, await response.json()


async def test_the_coffee_apps_team_list_path_answers_as_the_single_slash_one(client: Client, sign_in: SignIn) -> None:
    token = (await sign_in("octocat"))["access_token"]
    single = await answer(client, "GET", "/1/team/list", token)
    assert single[0] == 200
    assert single[1]["teams"][0] == {"github_id": 30000, "name": "Coffee", "org": "esri", "members": 3}
    assert await answer(client, "GET", "/1//team/list", token) == single
    assert await answer(client, "GET", "/1///team//list", token) == single


async def test_a_post_to_a_doubled_slash_path_keeps_its_method_its_body_and_its_query(
    client: Client, sign_in: SignIn
) -> None:
    token = (await sign_in("octocat"))["access_token"]
    group = {"github_team_id": 30000, "name": "Esri PDX", "timezone": "America/Los_Angeles"}
    created = await answer(client, "POST", "/1//group//create", token, json=group)
    assert created == (200, {"group_id": 1, "group_name": "Esri PDX", "timezone": "America/Los_Angeles"})
    info = await answer(client, "GET", "/1//group/info?group_id=1", token)
    assert info == await answer(client, "GET", "/1/group/info?group_id=1", token)
    assert (info[0], info[1]["group_name"]) == (200, "Esri PDX")


async def test_doubled_slashes_resolve_on_the_other_specs_and_under_a_community(
    client: Client, services: Services
) -> None:
    created = await answer(client, "POST", "/session//create", json={"participant_id": "Ann"})
    assert (created[0], sorted(created[1])) == (201, ["session_id", "token"])
    joined = await answer(client, "POST", f"/session/{created[1]['session_id']}//join", json={"participant_id": "Bo"})
    assert (joined[0], sorted(joined[1])) == (200, ["token"])
    await services.communities.ensure(Platform.DISCORD, "42", "Elsewhere")
    elsewhere = await answer(client, "POST", "/c/discord-42//session/create", json={"participant_id": "Cy"})
    assert elsewhere[0] == 201
    assert await answer(client, "GET", "/api//sessions") == await answer(client, "GET", "/api/sessions") == (200, [])
    assert await answer(client, "PUT", "/api//sessions") == (405, {"error": "Method not allowed"})
    assert await answer(client, "GET", "/api//nothing") == (404, {"error": "Not found"})


async def test_a_leading_doubled_slash_with_expect_continue_gets_one_interim_answer(client: Client) -> None:
    body = b'{"participant_id": "Ann"}'
    head = request_head(
        "POST",
        "//session//create",
        Content_Type="application/json",
        Content_Length=str(len(body)),
        Expect="100-continue",
        Connection="close",
    )
    assert client.port is not None
    answer = await exchange(client.port, [head, body], pause=0.1)
    interim, _, final = answer.raw.partition(b"\r\n\r\n")
    assert interim == b"HTTP/1.1 100 Continue"
    assert final.startswith(b"HTTP/1.1 201 Created\r\n")
    assert sorted(json.loads(final.partition(b"\r\n\r\n")[2])) == ["session_id", "token"]
