"""Tokens, codes and hashes."""

from tallybot.core import crypto


def test_tokens_are_long_random_and_hash_to_sha256_hex() -> None:
    tokens = {crypto.new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(token) >= 43 for token in tokens)
    assert len(crypto.hash_token("abc")) == 64
    assert crypto.hash_token("abc") != crypto.hash_token("abd")


def test_codes_are_four_digits() -> None:
    codes = [crypto.new_code() for _ in range(500)]
    assert all(len(code) == 4 and code.isdigit() for code in codes)
    assert len(set(codes)) > 300


async def test_secrets_verify_only_against_their_own_salted_hash() -> None:
    first, second = await crypto.hash_secret("1234"), await crypto.hash_secret("1234")
    assert first != second
    assert first.startswith("scrypt$")
    assert await crypto.verify_secret("1234", first)
    assert not await crypto.verify_secret("1235", first)
    assert not await crypto.verify_secret("1234", "garbage")
