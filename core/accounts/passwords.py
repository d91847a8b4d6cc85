"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher

from core.i18n import N_
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when no account matches, so that a miss takes as long as a hit.
_DUMMY_HASH = _hasher.hash("gongzhi-no-such-account")

MIN_LENGTH = 8
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# The password policy (README, "Passwords"): 8 to 128 characters, and not one of these
# weak patterns: a well-known password, one character repeated, a run of consecutive
# keys or digits, or the person's own phone number or email name.
WEAK_MESSAGE = N_("This password is too easy to guess: avoid common words, repeats, sequences and your own number.")
_COMMON = {
    "password", "password1", "passw0rd", "qwertyui", "qwerty123", "iloveyou", "admin123", "abc12345",
    "12345678", "123456789", "1234567890", "87654321", "11111111", "88888888", "66666666", "00000000",
    "123123123", "woaini1314", "5201314520", "aa123456", "a1234567", "qq123456", "zxcvbnm1",
    "1q2w3e4r", "1qaz2wsx", "asdfghjk", "gongzhi123", "gongzhi2026x",
}
_SEQUENCES = ("0123456789012", "9876543210987", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def is_weak(password: str, *personal: str) -> bool:
    lowered = password.lower()
    if lowered in _COMMON or len(set(lowered)) <= 2:
        return True
    if any(lowered in sequence for sequence in _SEQUENCES):
        return True
    for value in personal:
        value = (value or "").lower().split("@")[0]
        if len(value) >= 6 and (value in lowered or lowered in value):
            return True
    return False
