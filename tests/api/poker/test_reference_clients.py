"""The planning-poker API as the reference system's own clients use it (vendasta/planningpoker).

Its web client's owner opens the session and puts stories up but never votes; guests join,
long-poll for the story, vote, and read the cards from the top-level ``votes`` of ``watch``.
Its server also takes a story as ``text`` and a vote at ``.../vote/submit``.
"""

import asyncio
from typing import Any

from tallybot.core.services import Services
from tests.api.poker.test_poker import call, prompt_view
from tests.helpers import Client, until


class Team:
    """A session owned by Dale, with guests who joined after him, and their tokens."""

    def __init__(self, session_id: str, owner: str, guests: dict[str, str]) -> None:
        self.id = session_id
        self.owner = owner
        self.guests = guests

    def path(self, tail: str) -> str:
        return f"/session/{self.id}{tail}"


async def open_team(client: Client, *guests: str, prompt: str | None = "OIDC") -> Team:
    created = await call(client, "POST", "/session/create", json={"participant_id": "Dale"}, status=201)
    session_id = created["session_id"]
    tokens = {}
    for name in guests:
        joined = await call(client, "POST", f"/session/{session_id}/join", json={"participant_id": name})
        tokens[name] = joined["token"]
    team = Team(session_id, created["token"], tokens)
    if prompt is not None:
        await call(client, "POST", team.path("/prompt/create"), token=team.owner, json={"prompt": prompt}, status=201)
    return team


async def cast(client: Client, team: Team, name: str, card: str, tail: str = "/prompt/1/vote") -> Any:
    token = team.owner if name == "Dale" else team.guests[name]
    return await call(client, "POST", team.path(tail), token=token, json={"vote": card})


def cards(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"participant_id": name, "vote": card} for name, card in pairs]


async def test_the_owner_who_never_votes_sees_both_guests_cards_in_votes(client: Client, services: Services) -> None:
    team = await open_team(client, "Jesse", "Kim", prompt=None)
    # The guests' client long-polls with an empty last_prompt_id until the owner puts a story up.
    waiters = [
        asyncio.create_task(call(client, "POST", team.path("/prompt/wait"), token=token, json={"last_prompt_id": ""}))
        for token in team.guests.values()
    ]
    await until(lambda: services.poker.waiting == 2)
    created = await call(
        client, "POST", team.path("/prompt/create"), token=team.owner, json={"prompt": "OIDC"}, status=201
    )
    assert created == {"prompt_id": "1"}
    assert await asyncio.gather(*waiters) == [{"prompt_id": "1", "prompt": "OIDC"}] * 2

    assert await cast(client, team, "Jesse", "5") == {"prompt_id": "1", "round": 1, "vote": "5", "revealed": False}
    assert await cast(client, team, "Kim", "8") == {"prompt_id": "1", "round": 1, "vote": "8", "revealed": True}

    watched = await call(client, "GET", team.path("/prompt/1/watch"), token=team.owner)
    assert watched == prompt_view(
        team.id,
        7,
        [
            {"participant_id": "Dale", "voted": False, "vote": None},
            {"participant_id": "Jesse", "voted": True, "vote": "5"},
            {"participant_id": "Kim", "voted": True, "vote": "8"},
        ],
        revealed=True,
        votes=cards(("Jesse", "5"), ("Kim", "8")),
        result={
            "round": 1,
            "votes": cards(("Jesse", "5"), ("Kim", "8")),
            "min": 5,
            "max": 8,
            "median": 6.5,
            "mean": 6.5,
            "consensus": False,
            "outliers": ["Jesse", "Kim"],
        },
    )


async def test_votes_carry_no_card_before_the_reveal(client: Client) -> None:
    team = await open_team(client, "Jesse", "Kim")
    await cast(client, team, "Jesse", "13")
    hidden = prompt_view(
        team.id,
        5,
        [
            {"participant_id": "Dale", "voted": False},
            {"participant_id": "Jesse", "voted": True},
            {"participant_id": "Kim", "voted": False},
        ],
    )
    assert await call(client, "GET", team.path("/prompt/1/watch"), token=team.owner) == hidden
    assert await call(client, "POST", team.path("/prompt/1/watch"), token=team.guests["Kim"], json={}) == hidden


async def test_an_owner_who_voted_first_is_waited_for_and_their_card_counts(client: Client) -> None:
    team = await open_team(client, "Jesse", "Kim")
    assert (await cast(client, team, "Dale", "3"))["revealed"] is False
    assert (await cast(client, team, "Jesse", "3"))["revealed"] is False
    assert (await cast(client, team, "Kim", "3"))["revealed"] is True
    watched = await call(client, "GET", team.path("/prompt/1/watch"), token=team.guests["Kim"])
    assert watched["votes"] == cards(("Dale", "3"), ("Jesse", "3"), ("Kim", "3"))


async def test_a_lone_owners_session_needs_the_owners_vote(client: Client) -> None:
    team = await open_team(client)
    watch = team.path("/prompt/1/watch")
    before = await call(client, "GET", watch, token=team.owner)
    assert (before["revealed"], before["votes"]) == (False, [])
    assert (await cast(client, team, "Dale", "2"))["revealed"] is True
    after = await call(client, "GET", watch, token=team.owner)
    assert (after["revealed"], after["votes"]) == (True, cards(("Dale", "2")))


async def test_an_owner_with_one_guest_who_has_not_voted_is_not_waited_for(client: Client) -> None:
    team = await open_team(client, "Jesse")
    assert (await cast(client, team, "Jesse", "5"))["revealed"] is True


async def test_a_prompt_sent_as_text_is_created(client: Client) -> None:
    team = await open_team(client, "Jesse", prompt=None)
    path = team.path("/prompt/create")
    assert await call(client, "POST", path, token=team.owner, json={"text": "OIDC"}, status=201) == {"prompt_id": "1"}
    assert await call(client, "GET", team.path("/prompt/wait")) == {"prompt_id": "1", "prompt": "OIDC"}
    assert await call(client, "POST", path, token=team.owner, json={"text": 7}, status=400) == {
        "error": "Invalid parameters: text must be a string"
    }


async def test_a_prompt_sent_as_both_prompt_and_text_is_a_400(client: Client) -> None:
    team = await open_team(client, prompt=None)
    both = {"prompt": "OIDC", "text": "OIDC"}
    assert await call(client, "POST", team.path("/prompt/create"), token=team.owner, json=both, status=400) == {
        "error": "Send the story as prompt or as text, not both"
    }
    await call(client, "GET", team.path("/prompt/wait?timeout=0"), status=204)


async def test_a_vote_at_vote_submit_counts_like_one_at_vote(client: Client, services: Services) -> None:
    team = await open_team(client, "Jesse", "Kim")
    submit = "/prompt/1/vote/submit"
    assert await cast(client, team, "Jesse", "5", submit) == {
        "prompt_id": "1",
        "round": 1,
        "vote": "5",
        "revealed": False,
    }
    slug = services.default_community.slug
    kim = await call(client, "POST", f"/c/{slug}{team.path(submit)}", token=team.guests["Kim"], json={"vote": "☕"})
    assert kim == {"prompt_id": "1", "round": 1, "vote": "☕️", "revealed": True}
    watched = await call(client, "GET", team.path("/prompt/1/watch"), token=team.owner)
    assert watched["votes"] == cards(("Jesse", "5"), ("Kim", "☕️"))
    assert await call(client, "POST", team.path(submit), json={"vote": "5"}, status=401) == {
        "error": "This needs your participant token (Authorization: Bearer <token>)"
    }


async def test_the_document_has_the_aliases_and_the_votes_list(client: Client) -> None:
    document = await call(client, "GET", "/api/openapi.json")
    paths = document["paths"]
    submit = paths["/session/{session_id}/prompt/{prompt_id}/vote/submit"]["post"]
    assert submit["operationId"] == "poker_vote_submit"
    assert paths["/session/{session_id}/prompt/{prompt_id}/vote"]["post"]["operationId"] == "poker_vote"
    assert "post" in paths["/c/{community}/session/{session_id}/prompt/{prompt_id}/vote/submit"]
    created = paths["/session/{session_id}/prompt/create"]["post"]["requestBody"]
    assert created["content"]["application/json"]["schema"] == {
        "anyOf": [{"$ref": "#/components/schemas/NewPrompt"}, {"$ref": "#/components/schemas/NewPromptText"}]
    }
    assert created["required"] is True
    schemas = document["components"]["schemas"]
    assert schemas["PromptViewJson"]["properties"]["votes"]["items"] == {"$ref": "#/components/schemas/CardJson"}
    assert "votes" in schemas["PromptViewJson"]["required"]
