"""Secret storage (spec: client-server API, 'Secrets') and the recovery key that opens it.

The cross-signing private keys are also stored on the homeserver, encrypted, as
account data (``m.cross_signing.master`` …), so an admin who signs in to the bot
account with Element can enter the recovery key and use them: for instance to
verify a new bot device, or to keep the account's identity if the data folder
is lost. The server never sees the key: ``m.secret_storage.v1.aes-hmac-sha2``
is AES-CTR-256 plus HMAC-SHA-256 with keys derived by HKDF-SHA-256.

The recovery key is the secret-storage key in the spec's 'cryptographic key
representation' (appendices): ``0x8B 0x01``, the key, a parity byte, base58,
a space after every fourth character.

All pure: the caller sends the account data.
"""

from __future__ import annotations

import hmac
import secrets
import string
from functools import reduce
from operator import xor
from typing import Any

import base58
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.hmac import HMAC
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.adapters.matrix.cross_signing import decode_base64, unpadded_base64

ALGORITHM = "m.secret_storage.v1.aes-hmac-sha2"
DEFAULT_KEY = "m.secret_storage.default_key"
KEY_BYTES = 32
RECOVERY_PREFIX = bytes([0x8B, 0x01])
KEY_ID_LENGTH = 32


class RecoveryKeyError(ValueError):
    """A recovery key that was mistyped or belongs to something else."""


def key_event_type(key_id: str) -> str:
    return f"m.secret_storage.key.{key_id}"


def new_key() -> tuple[str, bytes]:
    """A new secret-storage key and a random id for it."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(KEY_ID_LENGTH)), secrets.token_bytes(KEY_BYTES)


def encode_recovery_key(key: bytes) -> str:
    data = RECOVERY_PREFIX + key
    data += bytes([reduce(xor, data, 0)])
    text = base58.b58encode(data).decode("ascii")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def decode_recovery_key(text: str) -> bytes:
    try:
        data = base58.b58decode("".join(text.split()))
    except ValueError as error:
        raise RecoveryKeyError("this is not a recovery key (a character outside base58)") from error
    if data[: len(RECOVERY_PREFIX)] != RECOVERY_PREFIX or len(data) != len(RECOVERY_PREFIX) + KEY_BYTES + 1:
        raise RecoveryKeyError("this is not a recovery key (wrong length or prefix)")
    if reduce(xor, data, 0) != 0:
        raise RecoveryKeyError("the recovery key has a typo (its check digit does not match)")
    return data[len(RECOVERY_PREFIX) : -1]


def _keys(key: bytes, name: str) -> tuple[bytes, bytes]:
    """The AES key and the MAC key for the secret called ``name`` (``""`` for the key check)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=64, salt=bytes(32), info=name.encode()).derive(key)
    return derived[:32], derived[32:]


def _random_iv() -> bytes:
    iv = bytearray(secrets.token_bytes(16))
    # Bit 63 cleared, as the spec asks, so that AES-CTR implementations that
    # count on 64 bits and those that count on 128 agree.
    iv[8] &= 0x7F
    return bytes(iv)


def _aes_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    # CTR mode is its own inverse: the same call encrypts and decrypts.
    coder = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return coder.update(data) + coder.finalize()


def _mac(key: bytes, data: bytes) -> bytes:
    signer = HMAC(key, hashes.SHA256())
    signer.update(data)
    return signer.finalize()


def encrypt(key: bytes, name: str, plaintext: str, iv: bytes | None = None) -> dict[str, str]:
    """``AesHmacSha2EncryptedData`` for the secret ``name``; ``iv`` is random unless given (tests)."""
    return _encrypt(key, name, plaintext.encode(), iv if iv is not None else _random_iv())


def _encrypt(key: bytes, name: str, data: bytes, iv: bytes) -> dict[str, str]:
    aes_key, mac_key = _keys(key, name)
    ciphertext = _aes_ctr(aes_key, iv, data)
    return {
        "iv": unpadded_base64(iv),
        "ciphertext": unpadded_base64(ciphertext),
        "mac": unpadded_base64(_mac(mac_key, ciphertext)),
    }


def decrypt(key: bytes, name: str, encrypted: dict[str, Any]) -> str:
    aes_key, mac_key = _keys(key, name)
    try:
        iv, ciphertext, mac = (decode_base64(encrypted[field]) for field in ("iv", "ciphertext", "mac"))
    except (KeyError, TypeError, ValueError) as error:
        raise RecoveryKeyError(f"the stored secret {name} is malformed ({error})") from error
    if not hmac.compare_digest(_mac(mac_key, ciphertext), mac):
        raise RecoveryKeyError(f"the secret {name} does not open with this key")
    return _aes_ctr(aes_key, iv, ciphertext).decode()


def key_description(key: bytes, name: str) -> dict[str, str]:
    """The ``m.secret_storage.key.<id>`` content; ``iv`` and ``mac`` let a client check a typed key."""
    check = _encrypt(key, "", bytes(32), _random_iv())
    return {"name": name, "algorithm": ALGORITHM, "iv": check["iv"], "mac": check["mac"]}


def opens(key: bytes, description: dict[str, Any]) -> bool:
    """Whether ``key`` is the key ``description`` was made for (the spec's key check)."""
    aes_key, mac_key = _keys(key, "")
    ciphertext = _aes_ctr(aes_key, decode_base64(description["iv"]), bytes(32))
    return hmac.compare_digest(_mac(mac_key, ciphertext), decode_base64(description["mac"]))


def secret_event(key_id: str, key: bytes, name: str, plaintext: str) -> dict[str, Any]:
    """The account data content of the secret ``name``, encrypted with one key."""
    return {"encrypted": {key_id: encrypt(key, name, plaintext)}}
