"""The rules of planning poker that need no database: decks, friendly ids, results and views."""

import re
import statistics
from collections.abc import Collection, Sequence

from tallybot.core.errors import Invalid
from tallybot.core.poker.models import (
    Participant,
    PokerSession,
    Prompt,
    PromptRecord,
    PromptView,
    Round,
    RoundResult,
    RoundResultJson,
    SessionHistory,
    Vote,
    Voter,
)

FIBONACCI = ("0", "1", "2", "3", "5", "8", "13", "20", "40", "100", "?", "☕️")
TSHIRT = ("XS", "S", "M", "L", "XL", "XXL", "?", "☕️")
DECKS = {"fibonacci": FIBONACCI, "tshirt": TSHIRT}
MAX_CUSTOM_CARDS = 40
MAX_CARD_LENGTH = 16
DEFAULT_WAIT_SECONDS = 30.0
MAX_WAIT_SECONDS = 60.0
MAX_NAME_LENGTH = 100
MAX_PROMPT_LENGTH = 2000

_NUMBER = re.compile(r"-?[0-9]{1,9}(\.[0-9]{1,6})?")
# "?" (no idea) and the coffee cup (a break, please) are not estimates.
_ABSTAIN = frozenset({"?", "☕"})

# One line of words reads better than a hundred lines of a list literal.
_ADJECTIVES = (  # noqa: SIM905
    "agile amber ample bold brave breezy bright brisk bubbly calm candid cheery chill clever cosmic cozy crisp "
    "curious dapper daring dazzling eager earnest easy elegant epic fancy fearless festive fluffy frank fresh "
    "friendly frosty gentle giddy glad gleaming golden graceful grand happy hardy hearty honest humble jazzy jolly "
    "jovial joyful keen kind lively lucky lunar mellow merry mighty modest nimble noble peppy perky plucky polite "
    "proud quick quiet radiant rapid rosy rustic savvy serene shiny silky sleek smart snappy snug solar spry "
    "steady sturdy sunny super swift tidy trusty upbeat valiant velvet vivid warm wild wise witty zany zesty zippy"
).split()
_ANIMALS = (  # noqa: SIM905
    "aardvark alpaca antelope armadillo badger beaver beetle bison bobcat buffalo camel capybara caribou cheetah "
    "chipmunk cobra condor cougar coyote crane dingo dolphin donkey eagle egret falcon ferret finch flamingo fox "
    "gazelle gecko gibbon giraffe gopher gorilla hamster hare hedgehog heron hippo husky ibis iguana impala jackal "
    "jaguar koala lemur leopard llama lobster lynx magpie mallard manatee marmot meerkat mink moose narwhal newt "
    "ocelot octopus orca osprey otter owl panda panther parrot pelican penguin puffin puma quail rabbit raccoon "
    "raven reindeer robin salmon seal shark sloth sparrow squid stork swan tapir tiger toucan turtle walrus weasel "
    "whale wolf wombat yak zebra"
).split()
_NUMBERS = range(100, 1000)
ID_SPACE = len(_ADJECTIVES) * len(_ANIMALS) * len(_NUMBERS)


def user_text(value: str, field: str, maximum: int) -> str:
    """Trimmed text from a user, or Invalid naming the field if it is empty or too long."""
    text = value.strip()
    if not text or len(text) > maximum:
        raise Invalid(f"{field} needs 1 to {maximum} characters", {field: [f"1 to {maximum} characters"]})
    return text


def wait_seconds(timeout: float | None) -> float:
    """How long a long poll may wait: 30 s unless asked, and never more than 60 s."""
    if timeout is None:
        return DEFAULT_WAIT_SECONDS
    if not 0 <= timeout <= MAX_WAIT_SECONDS:
        message = f"timeout must be between 0 and {MAX_WAIT_SECONDS:g} seconds"
        raise Invalid(message, {"timeout": [f"0 to {MAX_WAIT_SECONDS:g}"]})
    return timeout


def friendly_id(index: int) -> str:
    """The session id with this index in ``range(ID_SPACE)``: ``brave-otter-417``.

    Indexes map one-to-one onto ids, so storage can hand out free indexes without retrying.
    """
    if not 0 <= index < ID_SPACE:
        raise ValueError(f"session id index {index} is outside 0..{ID_SPACE - 1}")
    rest, number = divmod(index, len(_NUMBERS))
    adjective, animal = divmod(rest, len(_ANIMALS))
    return f"{_ADJECTIVES[adjective]}-{_ANIMALS[animal]}-{_NUMBERS[number]}"


def _fold(card: str) -> str:
    # Clients type "☕" without the emoji variation selector, and "m" for "M".
    return card.strip().replace("\ufe0f", "").casefold()


def _number(card: str) -> float | None:
    return float(card) if _NUMBER.fullmatch(card) else None


def choose_deck(deck: str | Sequence[str] | None) -> tuple[str, ...]:
    """The cards for a new session: a deck's name, a custom list, or None for Fibonacci."""
    if deck is None:
        return FIBONACCI
    if isinstance(deck, str):
        named = DECKS.get(deck.strip().lower())
        if named is None:
            raise Invalid(f"Unknown deck {deck!r}: choose fibonacci, tshirt or a list of cards", {"deck": ["unknown"]})
        return named
    cards = tuple(card.strip() for card in deck)
    if not 2 <= len(cards) <= MAX_CUSTOM_CARDS:
        raise Invalid(f"A deck needs 2 to {MAX_CUSTOM_CARDS} cards", {"deck": [f"2 to {MAX_CUSTOM_CARDS} cards"]})
    if any(not card or len(card) > MAX_CARD_LENGTH for card in cards):
        message = f"Each card needs 1 to {MAX_CARD_LENGTH} characters"
        raise Invalid(message, {"deck": [f"1 to {MAX_CARD_LENGTH} characters per card"]})
    if len({_fold(card) for card in cards}) != len(cards):
        raise Invalid("A deck cannot hold the same card twice", {"deck": ["duplicate cards"]})
    return cards


def match_card(deck: Sequence[str], vote: str) -> str:
    """The deck's spelling of a vote, or Invalid listing the valid cards."""
    wanted = _fold(vote)
    for card in deck:
        if _fold(card) == wanted:
            return card
    valid = ", ".join(deck)
    raise Invalid(
        f"{vote!r} is not a card in this session's deck. Valid cards: {valid}",
        {"vote": ["not in the deck"]},
        {"valid_cards": list(deck)},
    )


def tally(round_number: int, votes: Sequence[tuple[str, str]], deck: Sequence[str]) -> RoundResult:
    """The result of a revealed round, from ``(voter, card)`` pairs in the order to show them.

    Statistics cover the numeric cards. The team agrees when every estimate (any card but
    ``?`` and ``☕️``) is the same. Otherwise the outliers are the voters whose estimates lie
    the most cards away from the median card, counted along the deck.
    """
    numbers = [number for _, card in votes if (number := _number(card)) is not None]
    estimates = [(name, card) for name, card in votes if _fold(card) not in _ABSTAIN]
    kinds = {_number(card) if _number(card) is not None else card for _, card in estimates}
    consensus = len(kinds) == 1
    outliers: tuple[str, ...] = ()
    if estimates and not consensus:
        positions = [deck.index(card) for _, card in estimates]
        middle = statistics.median(positions)
        distances = [abs(position - middle) for position in positions]
        furthest = max(distances)
        outliers = tuple(name for (name, _), distance in zip(estimates, distances, strict=True) if distance == furthest)
    return RoundResult(
        round=round_number,
        votes=tuple(votes),
        minimum=min(numbers) if numbers else None,
        maximum=max(numbers) if numbers else None,
        median=statistics.median(numbers) if numbers else None,
        mean=statistics.fmean(numbers) if numbers else None,
        consensus=consensus,
        outliers=outliers,
    )


def awaited(participants: Sequence[Participant], voted: Collection[int]) -> tuple[Participant, ...]:
    """The participants whose cards a round waits for; the vote that completes them reveals the round.

    ``voted`` holds the ids of the participants with a card in the round. Everyone is waited
    for, except an owner who facilitates: the reference web client's owner opens the session
    and puts stories up over HTTP but never votes, and watches for the cards. So an owner who
    holds a token (opened the session over the HTTP API) and has no card in the round is not
    waited for once every other participant has voted: their cards reveal the round. An owner
    who votes before then is waited for like everyone else (and counted in the progress). A
    lone owner is waited for: a round needs somebody's card.

    An owner from chat is always waited for: in chat the starter plays too, and often votes
    last. Any owner may still reveal early with ``reveal``.
    """
    others = sum(not person.is_owner for person in participants)

    def passed_over(person: Participant) -> bool:
        facilitating = person.is_owner and person.person_id is None and person.id not in voted
        return facilitating and others > 0

    return tuple(person for person in participants if not passed_over(person))


def round_result(
    session: PokerSession, round_: Round, participants: Sequence[Participant], votes: Sequence[Vote]
) -> RoundResult:
    """The result of one of a prompt's rounds, from the prompt's votes, voters in joining order."""
    cards = {vote.participant_id: vote.card for vote in votes if vote.round == round_.number}
    pairs = [(person.name, cards[person.id]) for person in participants if person.id in cards]
    return tally(round_.number, pairs, session.deck)


def build_view(
    session: PokerSession,
    prompt: Prompt,
    participants: Sequence[Participant],
    rounds: Sequence[Round],
    votes: Sequence[Vote],
) -> PromptView:
    """What ``watch`` shows. Before the reveal it says who voted, never what."""
    current = rounds[-1]
    cards = {vote.participant_id: vote.card for vote in votes if vote.round == current.number}
    voters = tuple(
        Voter(person.name, person.id in cards, cards.get(person.id) if current.revealed else None)
        for person in participants
    )
    return PromptView(
        session_id=session.public_id,
        deck=session.deck,
        prompt=prompt,
        round=current.number,
        revealed=current.revealed,
        version=session.version,
        voters=voters,
        result=round_result(session, current, participants, votes) if current.revealed else None,
        earlier_rounds=tuple(
            round_result(session, round_, participants, votes) for round_ in rounds[:-1] if round_.revealed
        ),
    )


def build_history(
    session: PokerSession,
    prompts: Sequence[Prompt],
    participants: Sequence[Participant],
    rounds: Sequence[Round],
    votes: Sequence[Vote],
) -> SessionHistory:
    """Every prompt of a session with the results of its revealed rounds."""
    records = []
    for prompt in prompts:
        revealed = [round_ for round_ in rounds if round_.prompt_id == prompt.id and round_.revealed]
        its_votes = [vote for vote in votes if vote.prompt_id == prompt.id]
        results = tuple(round_result(session, round_, participants, its_votes) for round_ in revealed)
        records.append(PromptRecord(prompt, results))
    return SessionHistory(session.public_id, session.deck, not session.is_open, tuple(records))


def figure(value: float | None) -> int | float | None:
    """A statistic for display: whole numbers without a fraction, others to two decimals."""
    if value is None:
        return None
    return int(value) if value.is_integer() else round(value, 2)


def result_data(result: RoundResult) -> RoundResultJson:
    """A round's result as JSON-safe data, the same in events and in the HTTP API."""
    return {
        "round": result.round,
        "votes": [{"participant_id": name, "vote": card} for name, card in result.votes],
        "min": figure(result.minimum),
        "max": figure(result.maximum),
        "median": figure(result.median),
        "mean": figure(result.mean),
        "consensus": result.consensus,
        "outliers": list(result.outliers),
    }
