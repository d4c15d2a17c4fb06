"""The root app: health, and errors outside any spec still come back as JSON."""

from tests.helpers import Client


async def test_healthz_answers_ok(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert set(body) == {"status", "uptime_seconds"}


async def test_an_unknown_path_is_a_json_404(client: Client) -> None:
    response = await client.get("/nothing/here")
    assert response.status == 404
    assert await response.json() == {"error": "Not found"}


async def test_a_wrong_method_is_a_405_in_the_specs_format(client: Client) -> None:
    response = await client.get("/api/sign-up")
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    body = await response.json()
    assert (body["success"], body["message"]) == (False, "Method not allowed")
