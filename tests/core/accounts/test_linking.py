"""The core's chat accounts: link codes and what redeeming one may do, personal tokens, names, channels."""

import re
from datetime import timedelta

import pytest

from tallybot.core.accounts.linking import LINK_CODE_ALPHABET
from tallybot.core.errors import Conflict, Forbidden, Invalid, NotFound, NotHost, Unauthorized
from tallybot.core.models import Community, Platform, Provider, Role
from tallybot.core.services import Services
from tallybot.settings import Settings
from tests.gamenight_helpers import rows
from tests.helpers import FakeClock, LastCode, member_of

EMAIL = "ryan@example.com"


async def discord_server(services: Services) -> Community:
    return await services.communities.ensure(Platform.DISCORD, "81384788765712384", "Coffee Club")


async def link_code(services: Services, community: Community, user_id: str = "42", role: Role = Role.MEMBER) -> str:
    issued = await services.chat.issue_link_code(community, Provider.DISCORD, user_id, "ryan", role)
    return issued.code


async def signed_up(services: Services, last_code: LastCode, email: str = EMAIL) -> str:
    """A confirmed account's session token."""
    await services.accounts.sign_up(services.default_community, email, "Ryan Web", True, None, "test")
    issued = await services.accounts.start_session_with_code(email, last_code(email), "test")
    return issued.token


async def test_a_link_code_is_random_readable_and_stored_only_as_a_hash(services: Services, settings: Settings) -> None:
    community = await discord_server(services)
    issued = await services.chat.issue_link_code(community, Provider.DISCORD, "42", "ryan", Role.MEMBER)
    assert re.fullmatch(f"[{LINK_CODE_ALPHABET}]{{4}}-[{LINK_CODE_ALPHABET}]{{4}}", issued.code)
    assert issued.valid_minutes == 15
    assert issued.expires_at == services.clock() + timedelta(minutes=15)
    stored = await rows(settings.storage.path, "SELECT * FROM chat_link_codes")
    assert len(stored) == 1
    assert issued.code.replace("-", "") not in str(stored)
    assert issued.code not in str(stored)


async def test_a_code_with_a_new_address_gives_the_chat_person_that_address_and_a_session(services: Services) -> None:
    community = await discord_server(services)
    code = await link_code(services, community)
    issued = await services.chat.start_session_with_code("Ryan@Example.com", code.lower(), None, "test")
    chat_person = await services.accounts.chat_person(community, Provider.DISCORD, "42", "ryan", Role.MEMBER)
    assert issued.person == chat_person
    assert (issued.person.email_address, issued.person.email_confirmed) == (EMAIL, False)
    asker = await services.accounts.authenticate(issued.token)
    assert asker.person == chat_person


async def test_a_code_works_once(services: Services) -> None:
    code = await link_code(services, await discord_server(services))
    await services.chat.start_session_with_code(EMAIL, code, None, "test")
    with pytest.raises(Unauthorized) as again:
        await services.chat.start_session_with_code(EMAIL, code, None, "test")
    assert str(again.value) == (
        f"Sorry, {code} is not a valid link code. Codes work once, within 15 minutes: "
        "ask the bot in chat for a new one."
    )


async def test_a_code_expires_and_a_new_one_voids_the_old(services: Services, clock: FakeClock) -> None:
    community = await discord_server(services)
    old = await link_code(services, community)
    new = await link_code(services, community)
    with pytest.raises(Unauthorized):
        await services.chat.start_session_with_code(EMAIL, old, None, "test")
    clock.advance(timedelta(minutes=15))
    with pytest.raises(Unauthorized):
        await services.chat.start_session_with_code(EMAIL, new, None, "test")


async def test_a_code_never_opens_an_account_that_someone_else_owns(services: Services, last_code: LastCode) -> None:
    await signed_up(services, last_code)
    code = await link_code(services, await discord_server(services))
    with pytest.raises(Forbidden) as refused:
        await services.chat.start_session_with_code(EMAIL, code, None, "test")
    assert str(refused.value) == (
        f"{EMAIL} belongs to another account. To link this chat account to it, send a session of that "
        "account with the request (Authorization: Bearer <session_uuid>)"
    )
    other = await signed_up(services, last_code, "someone@example.com")
    with pytest.raises(Forbidden) as wrong_session:
        await services.chat.start_session_with_code(EMAIL, code, other, "test")
    assert str(wrong_session.value) == f"The session you sent is not one of {EMAIL}"


async def test_refused_uses_void_a_code(services: Services, last_code: LastCode) -> None:
    owner = await signed_up(services, last_code)
    code = await link_code(services, await discord_server(services))
    for _ in range(5):
        with pytest.raises(Forbidden):
            await services.chat.start_session_with_code(EMAIL, code, None, "test")
    with pytest.raises(Unauthorized):
        await services.chat.start_session_with_code(EMAIL, code, owner, "test")


async def test_with_the_owners_session_the_chat_identity_joins_their_account(
    services: Services, last_code: LastCode
) -> None:
    owner_token = await signed_up(services, last_code)
    _, owner = await services.accounts.verify_session(owner_token)
    community = await discord_server(services)
    code = await link_code(services, community, role=Role.HOST)
    issued = await services.chat.start_session_with_code(EMAIL, code, owner_token, "test")
    assert issued.person == owner
    # The chat identity is now the account's, and so is its role in the Discord server.
    assert await services.accounts.chat_person(community, Provider.DISCORD, "42", "ryan", Role.HOST) == owner
    asker = await services.accounts.authenticate(issued.token)
    assert asker.roles == {services.default_community.id: Role.MEMBER, community.id: Role.HOST}


async def test_merging_keeps_the_host_role_where_both_belong(services: Services, last_code: LastCode) -> None:
    owner_token = await signed_up(services, last_code)
    community = services.default_community
    code = (await services.chat.issue_link_code(community, Provider.CONSOLE, "ryan", "ryan", Role.HOST)).code
    await services.chat.start_session_with_code(EMAIL, code, owner_token, "test")
    asker = await services.accounts.authenticate(owner_token)
    assert asker.roles == {community.id: Role.HOST}


async def test_an_address_the_chat_person_already_has_just_signs_in(services: Services) -> None:
    community = await discord_server(services)
    first = await services.chat.start_session_with_code(EMAIL, await link_code(services, community), None, "test")
    second = await services.chat.start_session_with_code(EMAIL, await link_code(services, community), None, "test")
    assert second.person == first.person
    with pytest.raises(Conflict) as other_address:
        await services.chat.start_session_with_code("new@example.com", await link_code(services, community), None, "x")
    assert str(other_address.value) == f"This chat account is already linked to {EMAIL}: use that address"


async def test_four_digit_codes_still_sign_in_by_mail(services: Services, last_code: LastCode) -> None:
    await services.accounts.sign_up(services.default_community, EMAIL, "Ryan", True, None, "test")
    issued = await services.chat.start_session_with_code(EMAIL, last_code(EMAIL), None, "test")
    assert issued.person.email_confirmed is True
    with pytest.raises(Unauthorized) as wrong:
        await services.chat.start_session_with_code(EMAIL, "12", None, "test")
    assert str(wrong.value) == f"Sorry, 12 doesn't match the confirmation code for email {EMAIL} !"


async def test_a_personal_session_acts_as_the_chat_person_with_their_chat_role(services: Services) -> None:
    community = await discord_server(services)
    issued = await services.chat.personal_session(community, Provider.DISCORD, "42", "ryan", Role.HOST)
    asker = await services.accounts.authenticate(issued.token)
    assert asker.is_host_of(community.id)
    demoted = await services.chat.personal_session(community, Provider.DISCORD, "42", "ryan", Role.MEMBER)
    assert demoted.person == issued.person
    assert not (await services.accounts.authenticate(issued.token)).is_host_of(community.id)


async def test_a_mentioned_person_is_created_as_a_member_without_changing_a_role(services: Services) -> None:
    community = await discord_server(services)
    host = await services.accounts.chat_person(community, Provider.DISCORD, "7", "hana", Role.HOST)
    assert await services.chat.mentioned_person(community, Provider.DISCORD, "7", "Hana") == host
    assert (await services.accounts.authenticate((await services.accounts.open_session_for(host)).token)).is_host_of(
        community.id
    )
    newcomer = await services.chat.mentioned_person(community, Provider.DISCORD, "8", "nico")
    assert await services.chat.person_named(community, Provider.DISCORD, "@NICO") == newcomer


async def test_a_name_is_found_among_the_communitys_people_first(services: Services) -> None:
    community = await discord_server(services)
    elsewhere = await services.communities.ensure(Platform.DISCORD, "99", "Elsewhere")
    await services.accounts.chat_person(elsewhere, Provider.DISCORD, "1", "sam", Role.MEMBER)
    local_sam = await services.accounts.chat_person(community, Provider.DISCORD, "2", "Sam", Role.MEMBER)
    assert await services.chat.person_named(community, Provider.DISCORD, "sam") == local_sam
    await services.accounts.chat_person(community, Provider.DISCORD, "3", "SAM", Role.MEMBER)
    with pytest.raises(Invalid) as ambiguous:
        await services.chat.person_named(community, Provider.DISCORD, "sam")
    assert str(ambiguous.value) == "More than one person is called @sam: mention them so that chat can tell them apart"
    with pytest.raises(NotFound) as unknown:
        await services.chat.person_named(community, Provider.TWITCH, "sam")
    assert str(unknown.value) == "I don't know anyone called @sam yet: they need to say something in chat first"


async def test_a_member_cannot_choose_the_announcement_channel(services: Services) -> None:
    community = await discord_server(services)
    with pytest.raises(NotHost):
        await services.chat.set_announcement_channel(member_of(community), community, "555")
