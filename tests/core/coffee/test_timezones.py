"""Group timezones from a name or from an offset in seconds east of UTC, as the original app sends it."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tallybot.core.coffee import OAuthProfile, OAuthTeam, group_zone
from tallybot.core.coffee.timezones import offset_timezone, requested_timezone, timezone_problems
from tallybot.core.errors import Invalid
from tallybot.core.models import Provider
from tests.core.coffee.test_coffee import coffee_on, github_user, team_group

SUMMER = datetime(2026, 7, 1, tzinfo=UTC)
WINTER = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("offset", "name"),
    [
        (0, "UTC"),
        (7200, "Etc/GMT-2"),
        (-25200, "Etc/GMT+7"),
        (50400, "Etc/GMT-14"),
        (-43200, "Etc/GMT+12"),
        (-46800, "UTC-13:00"),
        (-50400, "UTC-14:00"),
        (19800, "UTC+05:30"),
        (20700, "UTC+05:45"),
        (-12600, "UTC-03:30"),
        (45900, "UTC+12:45"),
    ],
)
def test_an_offset_is_named_as_iana_names_a_fixed_zone_or_else_by_hours_and_minutes(offset: int, name: str) -> None:
    assert offset_timezone(offset) == name


def test_every_offset_within_14_hours_names_a_zone_with_exactly_that_offset_all_year() -> None:
    for offset in range(-14 * 3600, 14 * 3600 + 1, 60):
        zone = group_zone(offset_timezone(offset))
        assert zone.utcoffset(SUMMER) == zone.utcoffset(WINTER) == timedelta(seconds=offset), offset


def test_a_name_wins_over_an_offset_and_an_offset_alone_names_its_zone() -> None:
    assert requested_timezone("Europe/Amsterdam", 7200) == "Europe/Amsterdam"
    assert requested_timezone(None, 7200) == "Etc/GMT-2"
    assert requested_timezone(None, None) is None


def test_an_offset_beyond_14_hours_or_in_part_minutes_and_an_unknown_name_are_refused() -> None:
    too_far = ["must be from -50400 to 50400 seconds (14 hours from UTC)"]
    assert timezone_problems(None, 50401) == {"timezone_offset": too_far}
    assert timezone_problems(None, -50401) == {"timezone_offset": too_far}
    assert timezone_problems(None, 61) == {
        "timezone_offset": ["must be a whole number of minutes (a multiple of 60 seconds)"]
    }
    unknown = {"timezone": ["is not a known timezone name, such as America/Los_Angeles"]}
    for name in ("UTC+14:01", "UTC+05:60", "UTC+5:30", "utc", "Mars/Olympus", "../UTC"):
        assert timezone_problems(name, None) == unknown, name
    assert timezone_problems("Mars/Olympus", 50401) == {**unknown, "timezone_offset": too_far}
    assert timezone_problems("UTC-14:00", -50400) == {}


async def test_the_service_takes_an_offset_on_create_and_update_and_checks_it_with_the_other_rules(
    tmp_path: Path,
) -> None:
    async with coffee_on(tmp_path) as (coffee, oauth, home):
        group_id, ids = await team_group(coffee, oauth, home)
        resync = await coffee.update_group(ids[0], group_id, None, None, None, -12600)
        assert resync.group.timezone == "UTC-03:30"
        resync = await coffee.update_group(ids[0], group_id, None, None, "Asia/Tokyo", -12600)
        assert resync.group.timezone == "Asia/Tokyo"
        with pytest.raises(Invalid) as refused:
            await coffee.update_group(ids[0], group_id, None, "", None, 99999)
        assert refused.value.fields == {
            "name": ["must be 1 to 100 characters"],
            "timezone_offset": ["must be from -50400 to 50400 seconds (14 hours from UTC)"],
        }
        assert (await coffee.group_info(ids[0], group_id, None)).group.timezone == "Asia/Tokyo"

        tea = OAuthTeam(8, "Tea", "esri", (github_user(1), github_user(2)))
        oauth.profiles["tea"] = OAuthProfile(Provider.GITHUB, github_user(1), (tea,))
        await coffee.sign_in("github", "tea", "127.0.0.1")
        created = await coffee.create_group(ids[0], home, "8", None, None, 19800)
        assert created.timezone == "UTC+05:30"
