"""What tests of "Read it aloud" need: espeak-ng and opusenc, and a way to read an Ogg page."""

from __future__ import annotations

import shutil

from tests.support.servers import cannot_start


def need_espeak() -> None:
    """espeak-ng and opusenc: under CI (where the test command installs them) a test without them fails."""
    for program, package in (("espeak-ng", "espeak-ng"), ("opusenc", "opus-tools")):
        if shutil.which(program) is None:
            cannot_start(program, f"not on PATH; install the Debian package {package}")


def first_page(data: bytes) -> bytes:
    """An Ogg file's first page: 27 header bytes, the segment table, the segments."""
    segments = data[26]
    return data[: 27 + segments + sum(data[27 : 27 + segments])]


def is_ogg_opus(data: bytes) -> bool:
    """The Ogg capture pattern, a stream's first page, and the Opus identification header in it."""
    page = first_page(data)
    return page[:4] == b"OggS" and page[5] == 0x02 and page[28:36] == b"OpusHead" and page[36] == 1
