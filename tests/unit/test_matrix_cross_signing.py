"""The signed JSON, the recovery key and secret storage of Matrix cross-signing, against known answers.

Signatures are checked with vodozemac and secret storage is opened with
pycryptodome (both come with matrix-nio): implementations other than the
ones the bot signs and encrypts with.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import stat

import pytest
import vodozemac
from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF

from bot.adapters.matrix import secret_storage
from bot.adapters.matrix.cross_signing import (
    CrossSigningKeys,
    KeyFileError,
    SigningKey,
    has_valid_signature,
    sign_json,
    signable,
    signed_by,
)
from bot.adapters.matrix.state import AdapterState, KeptCrossSigning

# The spec's test vectors (appendices, 'Test vectors: JSON signing').
SPEC_SEED = base64.b64decode("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1" + "=")
# A recovery key published with its key in other Matrix SDKs' tests (RFC 7748's first private key).
KNOWN_KEY = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
KNOWN_RECOVERY_KEY = "EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d"
BOT = "@coach:example.org"


def plain_canonical(value: dict) -> bytes:
    """Canonical JSON as the spec words it, without the library the bot uses."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def verifies(public_key: str, signature: str, value: dict) -> bool:
    stripped = {k: v for k, v in value.items() if k not in ("signatures", "unsigned")}
    try:
        vodozemac.Ed25519PublicKey.from_base64(public_key).verify_signature(
            plain_canonical(stripped), vodozemac.Ed25519Signature.from_base64(signature)
        )
    except vodozemac.SignatureException:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "signature"),
    [
        ({}, "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"),
        (
            {"one": 1, "two": "Two"},
            "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw",
        ),
    ],
)
def test_json_is_signed_as_the_spec_test_vectors_say(value, signature):
    key = SigningKey(SPEC_SEED)
    signed = sign_json(value, "domain", "ed25519:1", key.sign(signable(value)))
    assert signed == value | {"signatures": {"domain": {"ed25519:1": signature}}}
    assert has_valid_signature(signed, "domain", "ed25519:1", key.public)


def test_a_signature_covers_everything_but_signatures_and_unsigned():
    key = SigningKey.generate()
    signed = signed_by({"a": "ü", "b": [1, 2]}, BOT, key) | {"unsigned": {"device_display_name": "x"}}
    assert has_valid_signature(signed, BOT, key.key_id, key.public)
    assert verifies(key.public, signed["signatures"][BOT][key.key_id], signed)
    assert not has_valid_signature(signed | {"b": [2, 1]}, BOT, key.key_id, key.public)
    assert not has_valid_signature(signed, BOT, key.key_id, SigningKey.generate().public)
    assert not has_valid_signature(signed, "@other:example.org", key.key_id, key.public)


def test_the_master_key_signs_the_self_signing_and_user_signing_keys():
    keys = CrossSigningKeys.generate(BOT)
    body = keys.upload_body()
    master = keys.master.public
    assert body["master_key"] == {"user_id": BOT, "usage": ["master"], "keys": {f"ed25519:{master}": master}}
    for field, usage, key in (
        ("self_signing_key", "self_signing", keys.self_signing),
        ("user_signing_key", "user_signing", keys.user_signing),
    ):
        uploaded = body[field]
        assert uploaded["usage"] == [usage]
        assert uploaded["keys"] == {f"ed25519:{key.public}": key.public}
        assert verifies(master, uploaded["signatures"][BOT][f"ed25519:{master}"], uploaded)
    assert len({keys.master.public, keys.self_signing.public, keys.user_signing.public}) == 3


def test_a_device_is_signed_by_the_self_signing_key_and_keeps_its_own_signature():
    keys = CrossSigningKeys.generate(BOT)
    device = {
        "user_id": BOT,
        "device_id": "DEV",
        "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        "keys": {"curve25519:DEV": "c", "ed25519:DEV": "e"},
        "signatures": {BOT: {"ed25519:DEV": "the device's own"}},
        "unsigned": {"device_display_name": "digicoach"},
    }
    signed = keys.sign_device(device)
    assert "unsigned" not in signed
    assert signed["signatures"][BOT]["ed25519:DEV"] == "the device's own"
    ssk = keys.self_signing
    assert verifies(ssk.public, signed["signatures"][BOT][ssk.key_id], device)


def test_the_recovery_key_has_the_spec_format_known_answer():
    assert secret_storage.encode_recovery_key(KNOWN_KEY) == KNOWN_RECOVERY_KEY
    assert secret_storage.decode_recovery_key(KNOWN_RECOVERY_KEY) == KNOWN_KEY
    assert secret_storage.decode_recovery_key(" " + KNOWN_RECOVERY_KEY.replace(" ", "") + "\n") == KNOWN_KEY


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        (KNOWN_RECOVERY_KEY.replace("EsTc", "EsTd"), "typo"),
        (KNOWN_RECOVERY_KEY[:-5], "length"),
        (KNOWN_RECOVERY_KEY.replace("E", "0", 1), "base58"),
    ],
)
def test_a_mistyped_recovery_key_is_refused(typed, why):
    with pytest.raises(secret_storage.RecoveryKeyError, match=why):
        secret_storage.decode_recovery_key(typed)


def _open_independently(key: bytes, name: str, encrypted: dict) -> str:
    """The spec's steps for m.secret_storage.v1.aes-hmac-sha2, written with pycryptodome."""
    derived = HKDF(key, 64, bytes(32), SHA256, context=name.encode())
    aes_key, mac_key = derived[:32], derived[32:]
    unpad = lambda text: base64.b64decode(text + "=" * (-len(text) % 4))  # noqa: E731
    ciphertext = unpad(encrypted["ciphertext"])
    assert hmac.compare_digest(
        hmac.new(mac_key, ciphertext, hashlib.sha256).digest(), unpad(encrypted["mac"])
    )
    iv = unpad(encrypted["iv"])
    assert iv[8] & 0x80 == 0, "bit 63 of the IV must be 0"
    return AES.new(aes_key, AES.MODE_CTR, nonce=b"", initial_value=iv).decrypt(ciphertext).decode()


def test_a_secret_opens_with_the_spec_algorithm_and_only_with_its_key():
    _key_id, key = secret_storage.new_key()
    seed = CrossSigningKeys.generate(BOT).to_json()["master"]
    for _ in range(20):  # a fresh random IV each time
        encrypted = secret_storage.encrypt(key, "m.cross_signing.master", seed)
        assert _open_independently(key, "m.cross_signing.master", encrypted) == seed
        assert secret_storage.decrypt(key, "m.cross_signing.master", encrypted) == seed
    with pytest.raises(secret_storage.RecoveryKeyError):
        secret_storage.decrypt(secret_storage.new_key()[1], "m.cross_signing.master", encrypted)
    with pytest.raises(secret_storage.RecoveryKeyError):
        secret_storage.decrypt(key, "m.cross_signing.self_signing", encrypted)
    with pytest.raises(secret_storage.RecoveryKeyError, match="malformed"):
        secret_storage.decrypt(key, "m.cross_signing.master", {"iv": encrypted["iv"], "mac": "!"})


def test_the_key_description_lets_a_client_check_a_typed_recovery_key():
    _key_id, key = secret_storage.new_key()
    description = secret_storage.key_description(key, "digicoach recovery key")
    assert description["algorithm"] == "m.secret_storage.v1.aes-hmac-sha2"
    assert secret_storage.opens(key, description)
    assert not secret_storage.opens(secret_storage.new_key()[1], description)
    typed = secret_storage.decode_recovery_key(secret_storage.encode_recovery_key(key))
    assert secret_storage.opens(typed, description)
    # The check is the MAC of 32 encrypted zero bytes under the empty name.
    check = {"iv": description["iv"], "mac": description["mac"]}
    assert (
        _open_independently(key, "", check | {"ciphertext": _zeros_encrypted(key, description)}) == "\0" * 32
    )


def _zeros_encrypted(key: bytes, description: dict) -> str:
    derived = HKDF(key, 64, bytes(32), SHA256, context=b"")
    iv = base64.b64decode(description["iv"] + "=" * (-len(description["iv"]) % 4))
    ciphertext = AES.new(derived[:32], AES.MODE_CTR, nonce=b"", initial_value=iv).encrypt(bytes(32))
    return base64.b64encode(ciphertext).decode()


def test_kept_keys_survive_a_restart_owner_only_and_are_never_taken_for_another_account(tmp_path):
    state = AdapterState(tmp_path / "matrix")
    assert state.cross_signing(BOT) is None
    keys = CrossSigningKeys.generate(BOT)
    state.save_cross_signing(KeptCrossSigning(keys, in_secret_storage=True))
    assert stat.S_IMODE(state.cross_signing_file.stat().st_mode) == 0o600
    again = AdapterState(tmp_path / "matrix").cross_signing(BOT)
    assert again == KeptCrossSigning(keys, in_secret_storage=True)
    assert again.keys.upload_body() == keys.upload_body()
    with pytest.raises(KeyFileError, match=re.escape(f"holds the keys of {BOT}")):
        state.cross_signing("@other:example.org")
    state.cross_signing_file.write_text('{"keys": {"user_id": "@coach:example.org", "master": "AAAA"}}')
    with pytest.raises(KeyFileError, match="damaged"):
        state.cross_signing(BOT)
