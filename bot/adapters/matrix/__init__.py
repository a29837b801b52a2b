"""The coach on Matrix: encrypted 1:1 rooms through matrix-nio.

``MATRIX_HOMESERVER`` and ``MATRIX_USER_ID`` turn it on; see README, 'Matrix'.
"""

from __future__ import annotations

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.adapters.matrix.adapter import MatrixAdapter
from bot.adapters.matrix.convert import server_of
from bot.masking import keep_secret
from bot.settings import Settings


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


def configure(settings: Settings, password: str | None = None) -> MatrixAdapter | None:
    """The adapter if Matrix is configured; ``password`` (typed at a prompt) overrides ``MATRIX_PASSWORD``."""
    matrix = MatrixSettings()
    if not (matrix.homeserver and matrix.user_id):
        return None
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
