"""The bot account's cross-signing keys and the signed JSON the homeserver is sent, as pure functions.

Matrix trust in a device is a chain of ed25519 signatures over canonical JSON
(spec: appendices, 'Signing JSON'; client-server API, 'Cross-signing'): the
account's master key signs its self-signing and user-signing keys, the
self-signing key signs each of the account's devices. A client that trusts
the master key (a learner who verified the coach once) then trusts every
device it signed, and stops warning about "a device not verified by its owner".

Signing is done with ``cryptography``'s ed25519 and the JSON made canonical by
``canonicaljson`` (Synapse's own): no hand-written crypto.
"""

from __future__ import annotations

import base64
import copy
import secrets
from dataclasses import dataclass
from typing import Any

from canonicaljson import encode_canonical_json
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

JsonDict = dict[str, Any]

SEED_BYTES = 32
MASTER, SELF_SIGNING, USER_SIGNING = "master", "self_signing", "user_signing"
USAGES = (MASTER, SELF_SIGNING, USER_SIGNING)


class KeyFileError(ValueError):
    """The kept keys cannot be read; the message says which file and why."""


def unpadded_base64(data: bytes) -> str:
    """The spec's base64 for keys and signatures: standard alphabet, no ``=`` padding."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def decode_base64(text: str) -> bytes:
    """Padded or unpadded base64: the spec asks readers to accept both."""
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def canonical_json(value: JsonDict) -> bytes:
    return encode_canonical_json(value)


def signable(value: JsonDict) -> bytes:
    """What a signature covers: the object without ``signatures`` and ``unsigned``, canonical."""
    return canonical_json({k: v for k, v in value.items() if k not in ("signatures", "unsigned")})


@dataclass(frozen=True)
class SigningKey:
    """One ed25519 key pair, kept as its 32-byte seed (what other clients store and share)."""

    seed: bytes

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(secrets.token_bytes(SEED_BYTES))

    @property
    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public(self) -> str:
        """The public key in unpadded base64: also the key's id after ``ed25519:``."""
        return unpadded_base64(self._private.public_key().public_bytes_raw())

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.public}"

    def sign(self, message: bytes) -> str:
        return unpadded_base64(self._private.sign(message))


def sign_json(value: JsonDict, user_id: str, key_id: str, signature: str) -> JsonDict:
    """A copy of ``value`` with ``signature`` added next to the signatures it already has."""
    signed = copy.deepcopy(value)
    signed.setdefault("signatures", {}).setdefault(user_id, {})[key_id] = signature
    return signed


def signed_by(value: JsonDict, user_id: str, key: SigningKey) -> JsonDict:
    return sign_json(value, user_id, key.key_id, key.sign(signable(value)))


def has_valid_signature(value: JsonDict, user_id: str, key_id: str, public_key: str) -> bool:
    """Whether ``value`` carries a signature by ``key_id`` of ``user_id`` that ``public_key`` verifies."""
    signature = value.get("signatures", {}).get(user_id, {}).get(key_id)
    if not isinstance(signature, str):
        return False
    try:
        Ed25519PublicKey.from_public_bytes(decode_base64(public_key)).verify(
            decode_base64(signature), signable(value)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def key_object(user_id: str, usage: str, key: SigningKey) -> JsonDict:
    """The public ``CrossSigningKey`` object, unsigned."""
    return {"user_id": user_id, "usage": [usage], "keys": {key.key_id: key.public}}


def public_key_of(key_object: JsonDict | None) -> str | None:
    """The one public key of a ``CrossSigningKey`` object from ``/keys/query``, if there is one."""
    if not key_object:
        return None
    keys = list(key_object.get("keys", {}).values())
    return str(keys[0]) if len(keys) == 1 else None


@dataclass(frozen=True)
class CrossSigningKeys:
    """The three private keys of one account; the master key is the account's identity."""

    user_id: str
    master: SigningKey
    self_signing: SigningKey
    user_signing: SigningKey

    @classmethod
    def generate(cls, user_id: str) -> CrossSigningKeys:
        return cls(user_id, SigningKey.generate(), SigningKey.generate(), SigningKey.generate())

    def by_usage(self) -> dict[str, SigningKey]:
        return {MASTER: self.master, SELF_SIGNING: self.self_signing, USER_SIGNING: self.user_signing}

    def master_key(self) -> JsonDict:
        return key_object(self.user_id, MASTER, self.master)

    def upload_body(self) -> JsonDict:
        """The body of ``POST /keys/device_signing/upload``: the master key signs the other two."""
        return {
            "master_key": self.master_key(),
            "self_signing_key": signed_by(
                key_object(self.user_id, SELF_SIGNING, self.self_signing), self.user_id, self.master
            ),
            "user_signing_key": signed_by(
                key_object(self.user_id, USER_SIGNING, self.user_signing), self.user_id, self.master
            ),
        }

    def sign_device(self, device_keys: JsonDict) -> JsonDict:
        """The device's keys as the server holds them, signed by the self-signing key.

        ``unsigned`` (the display name) is dropped: the server compares the rest
        with what it stored, and the device's own signature stays.
        """
        device = {k: v for k, v in device_keys.items() if k != "unsigned"}
        return signed_by(device, self.user_id, self.self_signing)

    def to_json(self) -> JsonDict:
        return {"user_id": self.user_id} | {
            usage: unpadded_base64(key.seed) for usage, key in self.by_usage().items()
        }

    @classmethod
    def from_json(cls, data: JsonDict) -> CrossSigningKeys:
        try:
            seeds = {usage: decode_base64(data[usage]) for usage in USAGES}
            if any(len(seed) != SEED_BYTES for seed in seeds.values()):
                raise ValueError(f"a key is not {SEED_BYTES} bytes long")
            return cls(
                str(data["user_id"]),
                SigningKey(seeds[MASTER]),
                SigningKey(seeds[SELF_SIGNING]),
                SigningKey(seeds[USER_SIGNING]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise KeyFileError(f"bad cross-signing keys ({error})") from error
