"""``digicoach matrix verify``: make the coach's Matrix device verified by its owner, once, from a terminal.

For installations that run on an access token, or whose account already has
keys: the password (or the recovery key) is typed at a prompt, or taken from
``MATRIX_PASSWORD`` (standard input), and never printed or kept.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial

from bot.cli.errors import CliError
from bot.settings import Settings


def verify(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio
    import getpass

    from bot.adapters.matrix import MatrixSettings, configure

    matrix = MatrixSettings()
    if not (matrix.homeserver and matrix.user_id):
        raise CliError("set MATRIX_HOMESERVER and MATRIX_USER_ID to the bot account (see README, 'Matrix')")
    recovery_key = None
    if args.recovery_key:
        # Piped in, or typed without echo; the password is then not needed (no keys are uploaded).
        recovery_key = sys.stdin.readline() if not sys.stdin.isatty() else getpass.getpass("Recovery key: ")
        password = matrix.password
    else:
        password = matrix.password or getpass.getpass(f"Password of {matrix.user_id}: ")
    adapter = configure(settings, password=password or None)
    assert adapter is not None
    adapter.cross_sign_at_start = False
    return asyncio.run(_verify(adapter, password or None, replace=args.replace, recovery_key=recovery_key))


async def _verify(adapter: object, password: str | None, *, replace: bool, recovery_key: str | None) -> int:
    from aiohttp import ClientError

    from bot.adapters.matrix.adapter import MatrixAdapter, MatrixLoginError, SendFailedError
    from bot.adapters.matrix.cross_signing import KeyFileError
    from bot.adapters.matrix.secret_storage import RecoveryKeyError
    from bot.adapters.matrix.verification import CrossSigningError, cross_sign

    assert isinstance(adapter, MatrixAdapter)
    try:
        client = await adapter.connect()
        outcome = await cross_sign(
            client,
            adapter.state,
            password,
            create=True,
            replace=replace,
            recovery_key=recovery_key,
            # Printed at once: the keys are marked as stored right after, and it is never shown again.
            show_recovery_key=partial(_show_recovery_key, adapter.user_id),
        )
    except (MatrixLoginError, SendFailedError, CrossSigningError, KeyFileError, RecoveryKeyError) as error:
        raise CliError(str(error)) from None
    except (ClientError, TimeoutError) as error:
        raise CliError(f"cannot reach {adapter.homeserver} ({error})") from None
    finally:
        await adapter.close()
    assert outcome is not None  # create=True: keys are made when the account has none
    if outcome.created:
        print(f"Made new cross-signing keys for {adapter.user_id} (master key {outcome.master_key}).")
    elif recovery_key is not None:
        print(f"Took the cross-signing keys of {adapter.user_id} from secret storage.")
    if outcome.signed_now:
        print(f"Signed the coach's device {outcome.device_id}: it is now verified by its owner.")
    else:
        print(f"The coach's device {outcome.device_id} was already verified by its owner.")
    print(f"The private keys are kept in {adapter.state.cross_signing_file} (readable by you only).")
    return 0


def _show_recovery_key(user_id: str, recovery_key: str) -> None:
    print(
        "Recovery key, shown only now. Keep it with the account password; Element asks for it "
        f"when you sign in as {user_id} and verify that session:\n\n    {recovery_key}\n",
        flush=True,
    )
