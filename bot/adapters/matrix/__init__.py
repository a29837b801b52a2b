"""The coach on Matrix: encrypted 1:1 rooms through matrix-nio.

``MATRIX_HOMESERVER`` and ``MATRIX_USER_ID`` turn it on; see README, 'Matrix'.
"""

from __future__ import annotations

import math
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.adapters.matrix.adapter import MatrixAdapter
from bot.adapters.matrix.convert import server_of
from bot.adapters.matrix.state import AdapterState
from bot.masking import keep_secret
from bot.settings import Settings

# Messages a second the homeserver takes from the bot, as `schedule preview` reckons:
# no limit of its own. Synapse's default `rc_message` lets an account send 0.2 a second
# after a burst of 10, which would make a morning's invitations take hours; so the set-up
# (README, 'Matrix', step 2) lifts it for the bot with Synapse's admin API
# `override_ratelimit`, where 0 means "not limited". The adapter then sends as fast as
# the homeserver answers and waits when told `M_LIMIT_EXCEEDED`; what paces Matrix
# invitations is the tick's own pace (`Rhythm.sends_per_second`). A homeserver that kept
# the default would send far slower than the preview says, and the preview says so.
MAX_PER_SECOND = math.inf


class MatrixSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATRIX_", extra="ignore")

    homeserver: str | None = None
    user_id: str | None = None
    access_token: str | None = None
    device_id: str | None = None
    # Used once, for the first login; the token and device are then kept in the data dir.
    password: str | None = None
    # Comma-separated servers whose people may use the coach; default: the bot's own.
    allowed_servers: str | None = None

    @model_validator(mode="after")
    def _keep_secrets(self) -> MatrixSettings:
        keep_secret(self.access_token)
        keep_secret(self.password)
        return self

    @property
    def wanted(self) -> bool:
        """Any MATRIX_* setting that says the operator wants Matrix."""
        return bool(self.homeserver or self.user_id or self.access_token or self.password)

    def problem(self, data_dir: Path) -> str | None:
        """What keeps the settings from serving Matrix, naming the variable to set; None if nothing."""
        if not self.wanted:
            return None
        if not self.homeserver:
            return (
                "MATRIX_HOMESERVER is not set: the homeserver's client URL, e.g. https://matrix.example.org"
            )
        if not self.user_id:
            return "MATRIX_USER_ID is not set: the bot account, e.g. @digicoach:example.org"
        if bool(self.access_token) != bool(self.device_id):
            missing = "MATRIX_DEVICE_ID" if self.access_token else "MATRIX_ACCESS_TOKEN"
            return f"{missing} is not set: an access token and its device id go together"
        if not (self.access_token or self.password or AdapterState(data_dir).login(self.user_id)):
            return (
                "no Matrix login: set MATRIX_ACCESS_TOKEN and MATRIX_DEVICE_ID, or MATRIX_PASSWORD for "
                "a first login (README, 'Matrix')"
            )
        return None


def configure(settings: Settings, password: str | None = None) -> MatrixAdapter | None:
    """The adapter if Matrix is configured; ``password`` (typed at a prompt) overrides ``MATRIX_PASSWORD``."""
    matrix = MatrixSettings()
    if not matrix.wanted:
        return None
    if (problem := matrix.problem(settings.data_dir / "matrix")) is not None and not password:
        raise SystemExit(f"digicoach: Matrix: {problem}")
    assert matrix.homeserver and matrix.user_id
    servers = tuple(
        s.strip().lower()
        for s in (matrix.allowed_servers or server_of(matrix.user_id)).split(",")
        if s.strip()
    )
    return MatrixAdapter(
        homeserver=matrix.homeserver,
        user_id=matrix.user_id,
        data_dir=settings.data_dir / "matrix",
        allowed_servers=servers,
        access_token=matrix.access_token,
        device_id=matrix.device_id,
        password=password or matrix.password,
    )
