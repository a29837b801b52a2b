"""Make the bot's device verified by its owner: cross-signing keys on the homeserver, the device signed.

On the homeserver (client-server API, v3):

1. ``POST /keys/upload`` (nio's ``keys_upload``) so the device's own keys are there to sign;
2. ``POST /keys/query`` for the bot account: its master and self-signing keys, its device;
3. ``POST /keys/device_signing/upload`` with the three public keys, answering the
   user-interactive auth with the account password when the server asks
   (Synapse does not for a first upload, MSC3967, but does to replace keys);
4. ``POST /keys/signatures/upload``: the device signed by the self-signing key,
   and the master key signed by the device (the spec's bridge for clients
   that verified the device before cross-signing existed);
5. ``PUT /user/{userId}/account_data/...``: the private keys in secret storage,
   opened by the recovery key that is shown once.

The private keys are kept in the data folder (``cross-signing.json``, owner
only) and reused on every start. Keys already on the homeserver that this
coach did not make are never replaced unless the admin asks (``--replace``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import ClientError
from nio import AsyncClient, KeysUploadError

from bot.adapters.matrix import secret_storage
from bot.adapters.matrix.cross_signing import (
    MASTER,
    SELF_SIGNING,
    USER_SIGNING,
    CrossSigningKeys,
    JsonDict,
    KeyFileError,
    has_valid_signature,
    public_key_of,
    sign_json,
    signable,
)
from bot.adapters.matrix.state import AdapterState, KeptCrossSigning

log = logging.getLogger(__name__)

API = "/_matrix/client/v3"
SECRET_NAMES = {
    MASTER: "m.cross_signing.master",
    SELF_SIGNING: "m.cross_signing.self_signing",
    USER_SIGNING: "m.cross_signing.user_signing",
}
RECOVERY_KEY_NAME = "digicoach recovery key"


class CrossSigningError(Exception):
    """Cross-signing could not be done; the message says why, in words an admin can act on."""


class ForeignKeysError(CrossSigningError):
    """The account has cross-signing keys this coach did not make; they are left alone."""


@dataclass(frozen=True)
class Outcome:
    master_key: str
    device_id: str
    created: bool  # new keys were made and uploaded now
    signed_now: bool  # the device (or the master key) was signed now, not at an earlier start


@dataclass(frozen=True)
class OwnKeys:
    """What ``/keys/query`` says about the bot account and its device."""

    master: JsonDict | None
    self_signing: JsonDict | None
    device: JsonDict | None


def _error_text(status: int, answer: JsonDict) -> str:
    return f"HTTP {status} {answer.get('errcode', '')} {answer.get('error', '')}".strip()


class Homeserver:
    """The key endpoints nio does not offer, sent through nio's own HTTP session and token."""

    def __init__(self, client: AsyncClient) -> None:
        if client.olm is None or not client.device_id:
            raise CrossSigningError("the Matrix client has no encryption store loaded")
        self.client = client
        self.user_id: str = client.user_id
        self.device_id: str = client.device_id

    async def _call(self, method: str, path: str, body: JsonDict | None = None) -> tuple[int, JsonDict]:
        response = await self.client.send(
            method,
            f"{API}{path}",
            None if body is None else json.dumps(body),
            {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"},
        )
        try:
            answer = await response.json(content_type=None)
        except ValueError:
            answer = {}
        finally:
            response.release()
        return response.status, answer if isinstance(answer, dict) else {}

    async def publish_device_keys(self) -> None:
        """The device's keys on the server, as nio's sync loop would put them there a little later."""
        if self.client.should_upload_keys:
            answer = await self.client.keys_upload()
            if isinstance(answer, KeysUploadError):
                raise CrossSigningError(f"could not publish the device's keys: {answer}")

    async def own_keys(self) -> OwnKeys:
        status, answer = await self._call("POST", "/keys/query", {"device_keys": {self.user_id: []}})
        if status != 200:
            raise CrossSigningError(
                f"the homeserver did not list the account's keys: {_error_text(status, answer)}"
            )
        return OwnKeys(
            master=answer.get("master_keys", {}).get(self.user_id),
            self_signing=answer.get("self_signing_keys", {}).get(self.user_id),
            device=answer.get("device_keys", {}).get(self.user_id, {}).get(self.device_id),
        )

    async def upload_cross_signing_keys(self, body: JsonDict, password: str | None) -> None:
        status, answer = await self._call("POST", "/keys/device_signing/upload", body)
        if status == 401 and "flows" in answer:
            # User-interactive auth: the only stage a bot can answer is its password.
            flows = [flow.get("stages") for flow in answer["flows"]]
            if ["m.login.password"] not in flows:
                raise CrossSigningError(
                    f"the homeserver wants {flows} to change cross-signing keys; "
                    "digicoach can only give the account password"
                )
            if password is None:
                raise CrossSigningError(
                    "the homeserver asks for the account password to upload cross-signing keys: "
                    "set MATRIX_PASSWORD or run 'digicoach matrix verify'"
                )
            auth = {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": self.user_id},
                "password": password,
                "session": answer.get("session"),
            }
            status, answer = await self._call("POST", "/keys/device_signing/upload", body | {"auth": auth})
            if status == 401:
                raise CrossSigningError(
                    f"the homeserver refused the password of {self.user_id}: {_error_text(status, answer)}"
                )
        if status != 200:
            raise CrossSigningError(
                f"the homeserver refused the cross-signing keys: {_error_text(status, answer)}"
            )

    async def upload_signatures(self, signed: dict[str, JsonDict]) -> None:
        """``signed`` maps a device id or a master public key to the object with its new signature."""
        status, answer = await self._call("POST", "/keys/signatures/upload", {self.user_id: signed})
        # The server answers 200 and lists what it refused under ``failures``.
        failures = answer.get("failures", {}).get(self.user_id) if status == 200 else answer
        if status != 200 or failures:
            raise CrossSigningError(
                f"the homeserver refused the signatures: {failures or _error_text(status, answer)}"
            )

    def _account_data_path(self, event_type: str) -> str:
        return f"/user/{quote(self.user_id, safe='')}/account_data/{quote(event_type, safe='')}"

    async def put_account_data(self, event_type: str, content: JsonDict) -> None:
        status, answer = await self._call("PUT", self._account_data_path(event_type), content)
        if status != 200:
            raise CrossSigningError(f"could not store {event_type}: {_error_text(status, answer)}")

    async def account_data(self, event_type: str) -> JsonDict | None:
        status, answer = await self._call("GET", self._account_data_path(event_type))
        if status == 404:
            return None
        if status != 200:
            raise CrossSigningError(f"could not read {event_type}: {_error_text(status, answer)}")
        return answer

    def identity_keys(self) -> dict[str, str]:
        """The device's public keys as they must appear in its ``device_keys``."""
        assert self.client.olm is not None
        mine = self.client.olm.account.identity_keys
        return {
            f"{algorithm}:{self.device_id}": str(mine[algorithm]) for algorithm in ("curve25519", "ed25519")
        }

    def signed_by_device(self, value: JsonDict) -> JsonDict:
        """``value`` signed with the device's own ed25519 key (held by nio's Olm account)."""
        assert self.client.olm is not None
        signature = self.client.olm.account.sign(signable(value).decode("utf-8"))
        return sign_json(value, self.user_id, f"ed25519:{self.device_id}", signature)


def _foreign(user_id: str, device_id: str, master: str) -> ForeignKeysError:
    return ForeignKeysError(
        f"the account {user_id} already has cross-signing keys (master key {master[:8]}…) that this coach "
        f"does not hold; they were left as they are. To verify the coach's device {device_id}, run "
        f"'digicoach matrix verify --recovery-key' with the account's recovery key (Element showed it "
        f"when the keys were made), or 'digicoach matrix verify --replace' to give the account new keys "
        f"(whoever verified the account before then verifies it again)"
    )


async def _store_secrets(server: Homeserver, keys: CrossSigningKeys) -> str:
    """The private keys in secret storage under a new default key; its recovery key."""
    key_id, key = secret_storage.new_key()
    await server.put_account_data(
        secret_storage.key_event_type(key_id), secret_storage.key_description(key, RECOVERY_KEY_NAME)
    )
    # The secrets are the private keys' seeds in unpadded base64, as other clients store them.
    seeds = keys.to_json()
    for usage, name in SECRET_NAMES.items():
        await server.put_account_data(name, secret_storage.secret_event(key_id, key, name, seeds[usage]))
    # Last: clients look for the secrets under the default key, so it points at them only when all are there.
    await server.put_account_data(secret_storage.DEFAULT_KEY, {"key": key_id})
    return secret_storage.encode_recovery_key(key)


async def _restore(server: Homeserver, recovery_key: str) -> CrossSigningKeys:
    """The private keys from secret storage, opened with a recovery key (ours, or one Element showed)."""
    key = secret_storage.decode_recovery_key(recovery_key)
    default = await server.account_data(secret_storage.DEFAULT_KEY)
    if not default or not isinstance(default.get("key"), str):
        raise CrossSigningError(f"{server.user_id} keeps no cross-signing keys in secret storage")
    key_id = default["key"]
    description = await server.account_data(secret_storage.key_event_type(key_id)) or {}
    if description.get("algorithm") != secret_storage.ALGORITHM:
        raise CrossSigningError(
            f"secret storage uses {description.get('algorithm')}, which digicoach cannot open"
        )
    if "mac" in description and not secret_storage.opens(key, description):
        raise secret_storage.RecoveryKeyError("this recovery key does not open the account's secret storage")
    seeds = {}
    for usage, name in SECRET_NAMES.items():
        stored = ((await server.account_data(name)) or {}).get("encrypted", {}).get(key_id)
        if stored is None:
            raise CrossSigningError(f"secret storage holds no {name}")
        seeds[usage] = secret_storage.decrypt(key, name, stored)
    return CrossSigningKeys.from_json({"user_id": server.user_id, **seeds})


async def cross_sign(
    client: AsyncClient,
    state: AdapterState,
    password: str | None,
    *,
    create: bool,
    show_recovery_key: Callable[[str], None],
    replace: bool = False,
    recovery_key: str | None = None,
) -> Outcome | None:
    """Make sure the bot's device is signed by the account's self-signing key; what was done.

    ``create``: make keys if the account has none (else ``None`` is returned).
    ``replace``: make new keys even if the account has some (ours or not).
    ``recovery_key``: take the account's keys from secret storage instead (made
    by another device, or kept by this coach before its data folder was lost).
    ``show_recovery_key`` is called before the keys are marked as stored, so a
    crash in between shows a new recovery key at the next start instead of none.
    """
    server = Homeserver(client)
    kept = state.cross_signing(server.user_id)
    await server.publish_device_keys()
    own = await server.own_keys()
    device = own.device
    if device is None:
        raise CrossSigningError(f"the homeserver does not list the keys of device {server.device_id}")
    if device.get("keys") != server.identity_keys() or device.get("user_id") != server.user_id:
        # Never sign what the server says our device is without checking: a
        # signature on someone else's key would make their device "ours".
        raise CrossSigningError(
            f"the homeserver lists keys for device {server.device_id} that are not this device's"
        )
    on_server = public_key_of(own.master)
    if recovery_key is not None:
        if on_server is None:
            raise CrossSigningError(
                f"{server.user_id} has no cross-signing keys to restore; "
                "run 'digicoach matrix verify' without --recovery-key to make them"
            )
        restored = await _restore(server, recovery_key)
        if (restored.master.public, restored.self_signing.public) != (
            on_server,
            public_key_of(own.self_signing),
        ):
            raise CrossSigningError(
                "the keys in secret storage are not the account's current cross-signing keys"
            )
        kept = KeptCrossSigning(restored, in_secret_storage=True)
        state.save_cross_signing(kept)
    ours = kept.keys if kept is not None else None
    created = False

    if replace or ours is None or on_server not in (None, ours.master.public):
        if on_server is not None and not replace:
            raise _foreign(server.user_id, server.device_id, on_server)
        if on_server is None and not create:
            return None
        ours = CrossSigningKeys.generate(server.user_id)
        kept = KeptCrossSigning(ours, in_secret_storage=False)
        created = True
        if on_server is None:
            # Kept before a first upload, so keys on the server never lack their private half;
            # a replacement is kept only once it is uploaded, so a refused one loses nothing.
            state.save_cross_signing(kept)
    assert kept is not None
    if on_server != ours.master.public or public_key_of(own.self_signing) != ours.self_signing.public:
        await server.upload_cross_signing_keys(ours.upload_body(), password)
        if created:
            state.save_cross_signing(kept)
        if on_server != ours.master.public:
            own = OwnKeys(master=ours.master_key(), self_signing=None, device=device)

    signed: dict[str, JsonDict] = {}
    if not has_valid_signature(device, server.user_id, ours.self_signing.key_id, ours.self_signing.public):
        signed[server.device_id] = ours.sign_device(device)
    master = own.master or ours.master_key()
    if f"ed25519:{server.device_id}" not in master.get("signatures", {}).get(server.user_id, {}):
        signed[ours.master.public] = server.signed_by_device(
            {k: v for k, v in master.items() if k != "signatures"}
        )
    if signed:
        await server.upload_signatures(signed)

    if not kept.in_secret_storage:
        show_recovery_key(await _store_secrets(server, ours))
        state.save_cross_signing(KeptCrossSigning(ours, in_secret_storage=True))
    return Outcome(ours.master.public, server.device_id, created, bool(signed))


def _log_recovery_key(recovery_key: str) -> None:
    log.warning(
        "Matrix: the recovery key of the bot account's cross-signing keys, shown only now; keep it "
        "with the account password (Element asks for it to verify a session of the bot account): %s",
        recovery_key,
    )


async def at_start(client: AsyncClient, state: AdapterState, password: str | None) -> None:
    """At each start: keys made once (with a password), the device signed, or one warning saying what to do.

    Never stops the coach: unverified, it still works, learners only see a warning.
    """
    try:
        outcome = await cross_sign(
            client, state, password, create=password is not None, show_recovery_key=_log_recovery_key
        )
    except ForeignKeysError as error:
        log.warning("Matrix: %s", error)
        return
    except (CrossSigningError, KeyFileError) as error:
        log.warning("Matrix: the bot's device is not cross-signed: %s", error)
        return
    except (ClientError, TimeoutError) as error:
        log.warning("Matrix: could not check cross-signing (%s); it is tried again at the next start", error)
        return
    if outcome is None:
        log.warning(
            "Matrix: the bot's device %s is not verified by its owner, so learners' apps show a warning "
            "on every message. Run 'digicoach matrix verify' once (it asks for the account password)",
            client.device_id,
        )
    elif outcome.created:
        log.warning(
            "Matrix: made cross-signing keys for %s (master key %s) and signed device %s with them",
            client.user_id,
            outcome.master_key,
            outcome.device_id,
        )
    elif outcome.signed_now:
        log.warning("Matrix: signed device %s with the account's self-signing key", outcome.device_id)
    else:
        log.info("Matrix: device %s is cross-signed (master key %s)", outcome.device_id, outcome.master_key)
