"""The two authenticated ciphers: AES-256-GCM (default) and SM4-GCM (national algorithms,
a district setting). A sealed value is ``v1:<algorithm>:<base64(nonce ‖ ciphertext ‖ tag)>``;
the associated data binds it to where it belongs, so a copy elsewhere does not open."""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALGORITHMS = {"aes-gcm": 32, "sm4-gcm": 16}  # name → key length in bytes
NONCE = 12
TAG = 16


class CannotOpen(Exception):
    """Wrong key, wrong place (associated data), tampered, or the key was destroyed."""


def new_key(algorithm: str) -> bytes:
    return os.urandom(ALGORITHMS[algorithm])


def seal(algorithm: str, key: bytes, plaintext: bytes, associated: bytes) -> str:
    nonce = os.urandom(NONCE)
    if algorithm == "aes-gcm":
        body = AESGCM(key).encrypt(nonce, plaintext, associated)
    elif algorithm == "sm4-gcm":
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated)
        body = encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    return f"v1:{algorithm}:{base64.b64encode(nonce + body).decode()}"


def open_sealed(key: bytes, sealed: str, associated: bytes) -> bytes:
    try:
        version, algorithm, encoded = sealed.split(":", 2)
        raw = base64.b64decode(encoded)
    except ValueError as error:
        raise CannotOpen("not a sealed value") from error
    if version != "v1" or algorithm not in ALGORITHMS or len(key) != ALGORITHMS[algorithm]:
        raise CannotOpen("unknown format or key")
    nonce, body = raw[:NONCE], raw[NONCE:]
    try:
        if algorithm == "aes-gcm":
            return AESGCM(key).decrypt(nonce, body, associated)
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, body[-TAG:])).decryptor()
        decryptor.authenticate_additional_data(associated)
        return decryptor.update(body[:-TAG]) + decryptor.finalize()
    except InvalidTag as error:
        raise CannotOpen("authentication failed") from error
