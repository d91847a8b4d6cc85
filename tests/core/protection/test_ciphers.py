import pytest

from core.protection import ciphers


@pytest.mark.parametrize("algorithm", ["aes-gcm", "sm4-gcm"])
def test_seal_and_open(algorithm):
    key = ciphers.new_key(algorithm)
    sealed = ciphers.seal(algorithm, key, "心理评估：轻度焦虑".encode(), b"here")
    assert sealed.startswith(f"v1:{algorithm}:") and "焦虑" not in sealed
    assert ciphers.open_sealed(key, sealed, b"here").decode() == "心理评估：轻度焦虑"


@pytest.mark.parametrize("algorithm", ["aes-gcm", "sm4-gcm"])
def test_a_sealed_value_opens_only_in_its_place_with_its_key(algorithm):
    key = ciphers.new_key(algorithm)
    sealed = ciphers.seal(algorithm, key, b"secret", b"tenant:1:row:7")
    with pytest.raises(ciphers.CannotOpen):
        ciphers.open_sealed(key, sealed, b"tenant:2:row:7")
    with pytest.raises(ciphers.CannotOpen):
        ciphers.open_sealed(ciphers.new_key(algorithm), sealed, b"tenant:1:row:7")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(ciphers.CannotOpen):
        ciphers.open_sealed(key, tampered, b"tenant:1:row:7")
    with pytest.raises(ciphers.CannotOpen):
        ciphers.open_sealed(key, "not sealed", b"tenant:1:row:7")
