"""The bot's device verified by its owner: cross-signing keys on a real Synapse, read back with /keys/query.

Every signature in the chain (device → master, master → self-signing,
self-signing → device) is checked here with vodozemac over canonical JSON
written out by hand, not with the code the bot signs with.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
import vodozemac

from bot.adapters.matrix import secret_storage
from bot.adapters.matrix.cross_signing import CrossSigningKeys, SigningKey, decode_base64
from tests.support.synapse import Synapse, free_port

pytestmark = pytest.mark.e2e

RECOVERY_KEY = re.compile(r"session of the bot account\): ([1-9A-HJ-NP-Za-km-z ]+)$", re.MULTILINE)


def canonical(value: dict) -> bytes:
    stripped = {k: v for k, v in value.items() if k not in ("signatures", "unsigned")}
    return json.dumps(stripped, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signed(value: dict, user_id: str, key_id: str, public_key: str) -> bool:
    signature = value.get("signatures", {}).get(user_id, {}).get(key_id)
    if signature is None:
        return False
    try:
        vodozemac.Ed25519PublicKey.from_base64(public_key).verify_signature(
            canonical(value), vodozemac.Ed25519Signature.from_base64(signature)
        )
    except vodozemac.SignatureException:
        return False
    return True


def only_key(key: dict) -> str:
    (public,) = key["keys"].values()
    assert key["keys"] == {f"ed25519:{public}": public}
    return str(public)


def keys_of(synapse: Synapse, token: str, user_id: str) -> dict:
    return synapse._request("POST", "/_matrix/client/v3/keys/query", {"device_keys": {user_id: []}}, token)


def trusted_chain(synapse: Synapse, user_id: str, device_id: str, *, viewer: str, owner: str) -> str:
    """The master key, after checking that it vouches for ``device_id`` as the spec says; fails otherwise.

    ``viewer`` is another user's token: what a learner's app sees. ``owner`` is
    the bot account's: Synapse shows the device's signature of the master key
    and the user-signing key to the account itself only.
    """
    seen = keys_of(synapse, viewer, user_id)
    device = seen["device_keys"][user_id][device_id]
    device_key = device["keys"][f"ed25519:{device_id}"]
    assert signed(device, user_id, f"ed25519:{device_id}", device_key), "the device's own signature"
    master = seen["master_keys"][user_id]
    assert master["usage"] == ["master"]
    master_key = only_key(master)
    self_signing = seen["self_signing_keys"][user_id]
    assert self_signing["usage"] == ["self_signing"]
    self_signing_key = only_key(self_signing)
    assert signed(self_signing, user_id, f"ed25519:{master_key}", master_key), "self-signing key by master"
    assert signed(device, user_id, f"ed25519:{self_signing_key}", self_signing_key), "device by self-signing"

    own = keys_of(synapse, owner, user_id)
    assert only_key(own["master_keys"][user_id]) == master_key
    assert signed(own["master_keys"][user_id], user_id, f"ed25519:{device_id}", device_key), (
        "master by device"
    )
    user_signing = own["user_signing_keys"][user_id]
    assert user_signing["usage"] == ["user_signing"]
    assert signed(user_signing, user_id, f"ed25519:{master_key}", master_key), "user-signing key by master"
    return master_key


def account_data(synapse: Synapse, token: str, user_id: str, event_type: str) -> dict:
    path = f"/_matrix/client/v3/user/{quote(user_id, safe='')}/account_data/{quote(event_type, safe='')}"
    return synapse._request("GET", path, token=token)


def login(bot) -> dict:
    return json.loads((bot.directory / "data" / "matrix" / "login.json").read_text())


def current_log(bot) -> str:
    return (bot.directory / f"bot-{bot.starts}.log").read_text(errors="replace")


def wait_in_log(bot, text: str, deadline_s: float = 30) -> str:
    deadline = time.monotonic() + deadline_s
    while text not in (log := current_log(bot)):
        assert bot.process.poll() is None, log
        assert time.monotonic() < deadline, f"waited for {text!r}:\n{log}"
        time.sleep(0.1)
    return log


def verify_command(
    bot, *args: str, password: str | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """``digicoach matrix verify`` as an admin runs it: password in MATRIX_PASSWORD, ``stdin`` piped in."""
    env = bot.env | {"MATRIX_PASSWORD": password or bot.account.password}
    return subprocess.run(
        [sys.executable, "-m", "bot", "matrix", "verify", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_bot_cross_signs_its_device_at_first_start_and_keeps_its_keys_across_restarts(
    synapse, bot_process
):
    bot = bot_process("coach", password_login=True)
    user_id = bot.env["MATRIX_USER_ID"]
    learner = synapse.register("georgette")
    bot.start()
    try:
        wait_in_log(bot, "made cross-signing keys")
        device_id = login(bot)["device_id"]
        master = trusted_chain(
            synapse, user_id, device_id, viewer=learner.access_token, owner=login(bot)["access_token"]
        )

        # The recovery key printed once opens secret storage, which holds the master key's private half.
        (recovery_key,) = RECOVERY_KEY.findall(bot.log)
        key = secret_storage.decode_recovery_key(recovery_key)
        token = login(bot)["access_token"]
        key_id = account_data(synapse, token, user_id, "m.secret_storage.default_key")["key"]
        assert secret_storage.opens(
            key, account_data(synapse, token, user_id, f"m.secret_storage.key.{key_id}")
        )
        stored = account_data(synapse, token, user_id, "m.cross_signing.master")["encrypted"][key_id]
        seed = secret_storage.decrypt(key, "m.cross_signing.master", stored)
        assert SigningKey(decode_base64(seed)).public == master

        bot.stop()
        bot.start()
        wait_in_log(bot, f"device {device_id} is cross-signed")
        chain = trusted_chain(
            synapse, user_id, device_id, viewer=learner.access_token, owner=login(bot)["access_token"]
        )
        assert chain == master

        # A lost crypto store means a new device: signed by the same keys, no new recovery key.
        bot.stop()
        shutil.rmtree(bot.directory / "data" / "matrix" / "crypto-store")
        (bot.directory / "data" / "matrix" / "login.json").unlink()
        bot.start()
        wait_in_log(bot, "with the account's self-signing key")
        new_device = login(bot)["device_id"]
        assert new_device != device_id
        chain = trusted_chain(
            synapse, user_id, new_device, viewer=learner.access_token, owner=login(bot)["access_token"]
        )
        assert chain == master
    finally:
        bot.stop()
    log = bot.log
    assert len(RECOVERY_KEY.findall(log)) == 1, log
    assert log.count("made cross-signing keys") == 1, log
    assert bot.account.password not in log
    assert "Traceback" not in log, log


def test_without_a_password_the_bot_says_what_to_run_and_digicoach_matrix_verify_does_it_once(
    synapse, bot_process
):
    bot = bot_process("coach")  # a token login: no password anywhere
    user_id, device_id = bot.env["MATRIX_USER_ID"], bot.env["MATRIX_DEVICE_ID"]
    bot.start()
    try:
        warned = wait_in_log(bot, "Run 'digicoach matrix verify' once")
        assert f"device {device_id} is not verified by its owner" in warned
    finally:
        bot.stop()
    assert user_id not in keys_of(synapse, bot.account.access_token, user_id).get("master_keys", {})

    done = verify_command(bot)
    assert done.returncode == 0, done.stderr
    assert "Made new cross-signing keys" in done.stdout
    assert f"Signed the coach's device {device_id}" in done.stdout
    (recovery_key,) = re.findall(r"^    ([1-9A-HJ-NP-Za-km-z ]{50,})$", done.stdout, re.MULTILINE)
    secret_storage.decode_recovery_key(recovery_key)
    for secret in (bot.account.password, bot.account.access_token):
        assert secret not in done.stdout + done.stderr
    learner = synapse.register("said")
    token = bot.account.access_token
    master = trusted_chain(synapse, user_id, device_id, viewer=learner.access_token, owner=token)

    again = verify_command(bot)
    assert again.returncode == 0, again.stderr
    assert f"The coach's device {device_id} was already verified by its owner." in again.stdout
    assert "Recovery key" not in again.stdout

    bot.start()
    try:
        quiet = wait_in_log(bot, f"device {device_id} is cross-signed (master key {master})")
    finally:
        bot.stop()
    assert "not verified by its owner" not in quiet


def store_like_element(synapse: Synapse, token: str, keys: CrossSigningKeys) -> str:
    """The private keys in secret storage, as Element leaves them when it sets up cross-signing."""
    key_id, key = secret_storage.new_key()
    user_id = keys.user_id

    def put(event_type: str, content: dict) -> None:
        path = f"/_matrix/client/v3/user/{quote(user_id, safe='')}/account_data/{quote(event_type, safe='')}"
        synapse._request("PUT", path, content, token)

    put(f"m.secret_storage.key.{key_id}", secret_storage.key_description(key, "Element"))
    for usage, seed in keys.to_json().items():
        if usage != "user_id":
            name = f"m.cross_signing.{usage}"
            put(name, secret_storage.secret_event(key_id, key, name, seed))
    put("m.secret_storage.default_key", {"key": key_id})
    return secret_storage.encode_recovery_key(key)


def test_keys_another_device_made_are_not_overwritten_but_used_with_their_recovery_key_or_replaced(
    synapse, bot_process, tmp_path
):
    bot = bot_process("coach", password_login=True)
    user_id = bot.env["MATRIX_USER_ID"]
    learner = synapse.register("harry")
    # "Element" made the account's keys first, on the device registration created.
    elsewhere = CrossSigningKeys.generate(user_id)
    token = bot.account.access_token
    synapse._request("POST", "/_matrix/client/v3/keys/device_signing/upload", elsewhere.upload_body(), token)
    recovery_key = store_like_element(synapse, token, elsewhere)
    bot.start()
    try:
        said = wait_in_log(bot, "already has cross-signing keys")
    finally:
        bot.stop()
    assert f"(master key {elsewhere.master.public[:8]}…) that this coach does not hold" in said
    assert "'digicoach matrix verify --recovery-key'" in said
    assert "'digicoach matrix verify --replace'" in said
    assert keys_of(synapse, token, user_id)["master_keys"][user_id] == elsewhere.master_key()
    kept = tmp_path / "data" / "matrix" / "cross-signing.json"
    assert not kept.exists()

    refused = verify_command(bot)
    assert refused.returncode == 2
    assert "already has cross-signing keys" in refused.stderr
    assert "left as they are" in refused.stderr

    another_key = secret_storage.encode_recovery_key(secret_storage.new_key()[1])
    wrong_key = verify_command(bot, "--recovery-key", stdin=another_key)
    assert wrong_key.returncode == 2
    assert "this recovery key does not open the account's secret storage" in wrong_key.stderr
    assert not kept.exists()

    restored = verify_command(bot, "--recovery-key", stdin=recovery_key + "\n")
    assert restored.returncode == 0, restored.stderr
    assert "Took the cross-signing keys" in restored.stdout
    assert "Recovery key" not in restored.stdout  # the account's own recovery key still opens them
    device_id = login(bot)["device_id"]
    owner = login(bot)["access_token"]
    assert trusted_chain(synapse, user_id, device_id, viewer=learner.access_token, owner=owner) == (
        elsewhere.master.public
    )
    assert kept.exists()

    # Replacing keys needs the password (user-interactive auth): a wrong one changes nothing.
    wrong = verify_command(bot, "--replace", password="not-the-password")
    assert wrong.returncode == 2
    assert f"the homeserver refused the password of {user_id}" in wrong.stderr
    assert "not-the-password" not in wrong.stdout + wrong.stderr
    assert only_key(keys_of(synapse, token, user_id)["master_keys"][user_id]) == elsewhere.master.public

    replaced = verify_command(bot, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    master = trusted_chain(synapse, user_id, device_id, viewer=learner.access_token, owner=owner)
    assert master != elsewhere.master.public
    assert "Recovery key" in replaced.stdout


def test_a_homeserver_that_cannot_be_reached_is_reported_in_one_line(bot_process):
    bot = bot_process("coach")
    bot.env["MATRIX_HOMESERVER"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    done = verify_command(bot)
    assert done.returncode == 2
    last_line = done.stderr.splitlines()[-1]
    assert last_line.startswith("digicoach: cannot reach http://127.0.0.1:"), done.stderr
    assert "Traceback" not in done.stderr
