"""Redeeming a chat link code at POST /api/start-session-with-confirmation-code."""

from typing import Any

from tallybot.core.models import Platform, Provider, Role
from tallybot.core.services import Services
from tests.api.accounts.test_accounts import post, session_for, sign_up
from tests.helpers import Client, LastCode

PATH = "/api/start-session-with-confirmation-code"
EMAIL = "matt+1@216software.com"


async def twitch_code(services: Services) -> str:
    community = await services.communities.ensure(Platform.TWITCH, "1234", "streamer")
    issued = await services.chat.issue_link_code(community, Provider.TWITCH, "777", "mattplays", Role.MEMBER)
    return issued.code


def session_body(body: dict[str, Any], email: str, name: str) -> dict[str, Any]:
    """The whole expected reply, with the values that are new each time taken from the reply."""
    session = body["session"]
    return {
        "success": True,
        "message": f"Session created and will expire on {session['expires'].replace('T', ' ')}",
        "person": {"display_name": name, "email_address": email, "person_uuid": session["person_uuid"]},
        "session": {
            "expired": False,
            "expires": session["expires"],
            "inserted": session["inserted"],
            "news_message": None,
            "person_uuid": session["person_uuid"],
            "redirect_to_url": None,
            "session_uuid": session["session_uuid"],
            "updated": None,
        },
    }


async def test_a_link_code_and_a_new_address_start_a_session_for_the_chat_user(
    client: Client, services: Services
) -> None:
    code = await twitch_code(services)
    body = await post(client, PATH, {"email_address": EMAIL, "confirmation_code": code})
    assert body == session_body(body, EMAIL, "mattplays")
    response = await client.get("/api/verify-session-uuid", params={"session_uuid": body["session"]["session_uuid"]})
    assert (await response.json())["person"]["email_address"] == EMAIL


async def test_a_link_code_for_someone_elses_address_is_refused_in_the_envelope(
    client: Client, services: Services
) -> None:
    await sign_up(client)
    code = await twitch_code(services)
    body = await post(client, PATH, {"email_address": EMAIL, "confirmation_code": code})
    assert body == {
        "success": False,
        "message": f"{EMAIL} belongs to another account. To link this chat account to it, send a session of that "
        "account with the request (Authorization: Bearer <session_uuid>)",
    }


async def test_with_that_accounts_session_the_chat_identity_joins_it(
    client: Client, services: Services, last_code: LastCode
) -> None:
    await sign_up(client)
    token = await session_for(client, last_code)
    code = await twitch_code(services)
    response = await client.post(
        PATH, json={"email_address": EMAIL, "confirmation_code": code}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200
    body = await response.json()
    body.pop("reply_timestamp")
    assert body == session_body(body, EMAIL, "Matt Wilson")
    community = await services.communities.ensure(Platform.TWITCH, "1234", "streamer")
    chat_person = await services.accounts.chat_person(community, Provider.TWITCH, "777", "mattplays", Role.MEMBER)
    assert chat_person.uuid == body["person"]["person_uuid"]


async def test_a_bad_link_code_or_session_is_refused(client: Client, services: Services) -> None:
    body = await post(client, PATH, {"email_address": EMAIL, "confirmation_code": "ABCD-EFGH"})
    assert body == {
        "success": False,
        "message": "Sorry, ABCD-EFGH is not a valid link code. Codes work once, within 15 minutes: "
        "ask the bot in chat for a new one.",
    }
    code = await twitch_code(services)
    response = await client.post(
        PATH, json={"email_address": EMAIL, "confirmation_code": code}, headers={"Authorization": "Bearer nope"}
    )
    body = await response.json()
    body.pop("reply_timestamp")
    assert body == {"success": False, "message": "Could not verify session"}
