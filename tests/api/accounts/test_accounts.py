"""The accounts API, route by route, through aiohttp's test client on a real SQLite file."""

import io
from datetime import datetime, timedelta
from typing import Any

from tests.helpers import Client, FakeClock, FakeMonotonic, LastCode

EMAIL = "matt+1@216software.com"


def without_timestamp(body: dict[str, Any]) -> dict[str, Any]:
    stamp = datetime.fromisoformat(body.pop("reply_timestamp"))
    assert stamp.tzinfo is not None
    return body


async def post(client: Client, path: str, payload: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = await client.post(path, json=payload)
    assert response.status == status, await response.text()
    return without_timestamp(await response.json())


async def sign_up(client: Client, email: str = EMAIL, **extra: Any) -> dict[str, Any]:
    payload = {"email_address": email, "display_name": "Matt Wilson", "agreed_with_TOS": True, **extra}
    return await post(client, "/api/sign-up", payload)


async def session_for(client: Client, last_code: LastCode, email: str = EMAIL) -> str:
    await post(client, "/api/send-confirmation-code", {"email_address": email})
    body = await post(
        client,
        "/api/start-session-with-confirmation-code",
        {"email_address": email, "confirmation_code": last_code(email)},
    )
    return str(body["session"]["session_uuid"])


async def test_sign_up_returns_the_inserted_person_and_mails_a_code(client: Client, last_code: LastCode) -> None:
    body = await sign_up(client)
    person_uuid = body["inserted_person"]["person_uuid"]
    assert body == {
        "success": True,
        "message": "Go check your email!",
        "inserted_person": {"display_name": "Matt Wilson", "email_address": EMAIL, "person_uuid": person_uuid},
    }
    assert len(last_code(EMAIL)) == 4


async def test_signup_alias_works_like_sign_up(client: Client) -> None:
    body = await post(client, "/api/signup", {"email_address": EMAIL, "display_name": "M", "agreed_with_TOS": True})
    assert body["success"] is True


async def test_sign_up_without_agreeing_to_the_terms_fails(client: Client) -> None:
    body = await sign_up(client, agreed_with_TOS=False)
    assert body == {"success": False, "message": "You need to agree to the terms of service to sign up"}


async def test_an_email_address_signs_up_only_once(client: Client) -> None:
    await sign_up(client)
    body = await sign_up(client, email=EMAIL.upper())
    assert body == {
        "success": False,
        "message": f"{EMAIL} has already signed up. Ask for a confirmation code to sign in.",
    }


async def test_sign_up_with_a_bad_address_or_short_password_fails(client: Client) -> None:
    assert await sign_up(client, email="not-an-address") == {
        "success": False,
        "message": "'not-an-address' is not a valid e-mail address",
    }
    assert await sign_up(client, password="short") == {
        "success": False,
        "message": "Passwords need at least 8 characters",
    }


async def test_sign_up_with_missing_or_mistyped_fields_is_a_400(client: Client) -> None:
    body = await post(client, "/api/sign-up", {"display_name": 7, "agreed_with_TOS": "yes"}, status=400)
    assert body == {
        "success": False,
        "message": "Invalid parameters: email_address is required; display_name must be a string; "
        "agreed_with_TOS must be true or false",
    }


async def test_malformed_json_is_a_400_in_the_envelope(client: Client) -> None:
    response = await client.post("/api/sign-up", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert without_timestamp(await response.json()) == {
        "success": False,
        "message": "The request body is not valid JSON",
    }


async def test_a_json_array_body_is_a_400(client: Client) -> None:
    response = await client.post("/api/sign-up", json=[1, 2])
    assert response.status == 400
    assert without_timestamp(await response.json())["message"] == "The request body must be a JSON object"


async def test_an_oversized_body_is_a_413(client: Client) -> None:
    response = await client.post("/api/sign-up", data=io.BytesIO(b"x" * (1024 * 1024 + 1)))
    assert response.status == 413
    assert without_timestamp(await response.json()) == {"success": False, "message": "The request body is too large"}


async def test_confirm_email_with_the_mailed_code_confirms_the_person(client: Client, last_code: LastCode) -> None:
    person_uuid = (await sign_up(client))["inserted_person"]["person_uuid"]
    body = await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": last_code(EMAIL)})
    assert body == {
        "success": True,
        "message": "You (Matt Wilson) are now confirmed!",
        "confirmed_person": {"display_name": "Matt Wilson", "email_address": EMAIL, "person_uuid": person_uuid},
    }


async def test_a_wrong_code_does_not_confirm(client: Client, last_code: LastCode) -> None:
    await sign_up(client)
    wrong = "1234" if last_code(EMAIL) != "1234" else "4321"
    body = await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": wrong})
    assert body == {
        "success": False,
        "message": f"Sorry, {wrong} doesn't match the confirmation code for email {EMAIL} !",
    }


async def test_a_code_works_only_once(client: Client, last_code: LastCode) -> None:
    await sign_up(client)
    code = last_code(EMAIL)
    assert (await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": code}))["success"]
    again = await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": code})
    assert again["success"] is False


async def test_the_sixth_guess_fails_even_with_the_right_code(client: Client, last_code: LastCode) -> None:
    await sign_up(client)
    code = last_code(EMAIL)
    wrong = [f"{n:04d}" for n in range(10) if f"{n:04d}" != code][:5]
    for guess in wrong:
        assert (await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": guess}))[
            "success"
        ] is False
    body = await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": code})
    assert body == {
        "success": False,
        "message": f"Sorry, {code} doesn't match the confirmation code for email {EMAIL} !",
    }
    await post(client, "/api/send-confirmation-code", {"email_address": EMAIL})
    fresh = await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": last_code(EMAIL)})
    assert fresh["success"] is True


async def test_a_resend_makes_a_new_code_and_voids_the_old_one(client: Client, last_code: LastCode) -> None:
    await sign_up(client)
    first = last_code(EMAIL)
    for _ in range(20):
        await post(client, "/api/send-confirmation-code", {"email_address": EMAIL})
        if last_code(EMAIL) != first:
            break
    assert last_code(EMAIL) != first
    stale = await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": first})
    assert stale["success"] is False


async def test_a_code_expires_after_three_days(client: Client, last_code: LastCode, clock: FakeClock) -> None:
    await sign_up(client)
    clock.advance(timedelta(days=3, seconds=1))
    body = await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": last_code(EMAIL)})
    assert body["success"] is False


async def test_an_unknown_address_gets_the_same_answers_as_a_known_one(client: Client) -> None:
    await sign_up(client)
    for address in (EMAIL, "nobody@example.com"):
        sent = await post(client, "/api/send-confirmation-code", {"email_address": address})
        assert sent == {"success": True, "message": f"Sent a confirmation code to {address}!"}
        for path in ("/api/confirm-email", "/api/start-session-with-confirmation-code"):
            body = await post(client, path, {"email_address": address, "confirmation_code": "0000x"})
            assert body == {
                "success": False,
                "message": f"Sorry, 0000x doesn't match the confirmation code for email {address} !",
            }
        login = await post(client, "/api/start-session", {"email_address": address, "password": "whatever1"})
        assert login == {"success": False, "message": "Could not start a session: wrong e-mail address or password"}


async def test_start_session_with_a_code_returns_a_session(
    client: Client, last_code: LastCode, clock: FakeClock
) -> None:
    person_uuid = (await sign_up(client))["inserted_person"]["person_uuid"]
    body = await post(
        client,
        "/api/start-session-with-confirmation-code",
        {"email_address": EMAIL, "confirmation_code": last_code(EMAIL)},
    )
    token = body["session"]["session_uuid"]
    expires = clock.now + timedelta(days=30)
    assert body == {
        "success": True,
        "message": f"Session created and will expire on {expires}",
        "person": {"display_name": "Matt Wilson", "email_address": EMAIL, "person_uuid": person_uuid},
        "session": {
            "expired": False,
            "expires": expires.isoformat(),
            "inserted": clock.now.isoformat(),
            "news_message": None,
            "person_uuid": person_uuid,
            "redirect_to_url": None,
            "session_uuid": token,
            "updated": None,
        },
    }
    assert len(token) >= 43


async def test_start_session_with_a_password(client: Client) -> None:
    await sign_up(client, password="correct horse")
    for path in ("/api/start-session", "/api/login", "/api/log-in", "/api/authenticate"):
        good = await post(client, path, {"email_address": EMAIL, "password": "correct horse"})
        assert good["success"] is True
        assert good["person"]["email_address"] == EMAIL
    bad = await post(client, "/api/start-session", {"email_address": EMAIL, "password": "wrong horse"})
    assert bad == {"success": False, "message": "Could not start a session: wrong e-mail address or password"}


async def test_verify_session_uuid_accepts_a_live_session(client: Client, last_code: LastCode) -> None:
    await sign_up(client)
    token = await session_for(client, last_code)
    response = await client.get("/api/verify-session-uuid", params={"session_uuid": token})
    body = without_timestamp(await response.json())
    assert body["success"] is True
    assert body["message"] == "Session verified"
    assert body["session"]["session_uuid"] == token


async def test_verify_session_uuid_rejects_an_unknown_session(client: Client) -> None:
    response = await client.get("/api/verify-session-uuid", params={"session_uuid": "8b78a20a-7766-42e1"})
    assert response.status == 200
    assert without_timestamp(await response.json()) == {"success": False, "message": "Could not verify session"}


async def test_a_session_expires_after_its_lifetime(client: Client, last_code: LastCode, clock: FakeClock) -> None:
    await sign_up(client)
    token = await session_for(client, last_code)
    clock.advance(timedelta(days=30))
    response = await client.get("/api/verify-session-uuid", params={"session_uuid": token})
    assert without_timestamp(await response.json()) == {"success": False, "message": "Could not verify session"}


async def test_end_session_expires_it_at_once(client: Client, last_code: LastCode, clock: FakeClock) -> None:
    await sign_up(client)
    token = await session_for(client, last_code)
    body = await post(client, "/api/end-session", {"session_uuid": token})
    assert body["success"] is True
    assert body["message"] == f"Ended session {token}."
    assert body["session"]["expired"] is True
    assert body["session"]["updated"] == clock.now.isoformat()
    response = await client.get("/api/verify-session-uuid", params={"session_uuid": token})
    assert (await response.json())["success"] is False
    again = await post(client, "/api/logout", {"session_uuid": token})
    assert again == {"success": False, "message": "Could not end session: it is unknown or has already ended"}


async def test_too_many_code_attempts_get_429(client: Client, monotonic: FakeMonotonic) -> None:
    await sign_up(client)
    for _ in range(10):
        await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": "0000"})
    response = await client.post("/api/confirm-email", json={"email_address": EMAIL, "confirmation_code": "0000"})
    assert response.status == 429
    assert response.headers["Retry-After"] == "900"
    assert without_timestamp(await response.json()) == {
        "success": False,
        "message": "Too many attempts. Try again in 900 seconds.",
    }
    monotonic.advance(901)
    assert (await post(client, "/api/confirm-email", {"email_address": EMAIL, "confirmation_code": "0000"}))[
        "success"
    ] is False


async def test_form_encoded_bodies_are_accepted(client: Client) -> None:
    response = await client.post(
        "/api/sign-up", data={"email_address": EMAIL, "display_name": "Matt", "agreed_with_TOS": "true"}
    )
    assert (await response.json())["success"] is True


async def test_sign_up_under_a_community_path_needs_a_known_community(client: Client) -> None:
    body = await post(
        client, "/c/default/api/sign-up", {"email_address": EMAIL, "display_name": "M", "agreed_with_TOS": True}
    )
    assert body["success"] is True
    missing = await post(
        client,
        "/c/nowhere/api/sign-up",
        {"email_address": "x@example.com", "display_name": "M", "agreed_with_TOS": True},
    )
    assert missing == {"success": False, "message": "No community called 'nowhere'"}


async def test_verify_and_end_session_without_a_token_are_a_400(client: Client) -> None:
    response = await client.get("/api/verify-session-uuid")
    assert response.status == 400
    assert without_timestamp(await response.json()) == {"success": False, "message": "session_uuid is required"}
    ended = await post(client, "/api/end-session", {}, status=400)
    assert ended == {"success": False, "message": "session_uuid is required"}
