"""``digicoach invite poster``: an A4 PDF whose QR code opens the bot with the team's code, in its language.

The PDF is read back as a person would see it: pdfium renders each page and
zxing-cpp decodes the QR code from the picture; the texts are pdfium's.

The PDF and QR libraries are imported when a test runs, not when pytest
collects: test_hostile_files measures a subprocess's peak memory, which on
Linux starts at the pytest process's own (it survives fork and exec).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from lessons.i18n import _, use_locale
from storage.unit_of_work import Store

ORG = """\
region: wallonie-picarde
organisations:
  - id: mouscron
    name: Ville de Mouscron
    language: fr
    teams:
      - id: population
        name: Service Population
"""
BOT = "WesthoekCoachBot"


@pytest.fixture
def db(empty_database, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", f"@{BOT}")
    monkeypatch.setenv("MATRIX_USER_ID", "@coach:example.be")
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    assert main(["org", "apply", str(org), "--db", empty_database]) == 0
    capsys.readouterr()
    return empty_database


def _pages(path: Path) -> list[tuple[str, list[str]]]:
    """Each page's text (white space as single spaces) and the QR codes decoded from its picture."""
    import pypdfium2 as pdfium
    import zxingcpp

    document = pdfium.PdfDocument(path)
    pages = []
    for page in document:
        text = " ".join(page.get_textpage().get_text_bounded().split())
        picture = page.render(scale=2).to_pil()  # 144 dpi: a phone camera sees less
        pages.append((text, [found.text for found in zxingcpp.read_barcodes(picture)]))
    document.close()
    return pages


def _codes(db: str) -> list[tuple[str, bool]]:
    """Every member code of the database, and whether it is revoked."""
    store = Store(db)
    with store.transaction() as tx:
        teams = [t.id for o in tx.organisations.all() for t in tx.teams.of(o.id)]
        found = [(i.code, i.revoked_at is not None) for i in tx.invites.of_teams(teams, "member")]
    store.close()
    return found


def _one_code(db: str) -> str:
    """The one code made so far, which is not revoked."""
    codes = _codes(db)
    assert [revoked for _code, revoked in codes] == [False]
    return codes[0][0]


def _poster(db: str, output: Path, *args: str) -> int:
    team = ["--team", "mouscron/population"]
    return main(["invite", "poster", *team, *args, "--output", str(output), "--db", db])


def _says(language: str, code: str) -> list[str]:
    from lessons.poster import what_the_coach_is

    with use_locale(language):
        return [
            _("Learn digital skills, a few minutes a day"),
            "Service Population · Ville de Mouscron",
            _("Scan the code with your phone: the coach opens in Telegram."),
            _("Start a chat with {coach} and send this message:", coach="@coach:example.be"),
            f"!start {code}",
            *what_the_coach_is(),
        ]


def test_the_poster_has_a_qr_code_to_the_bot_with_the_team_code_in_the_organisations_language(
    db, tmp_path, capsys
):
    poster = tmp_path / "population.pdf"
    assert _poster(db, poster) == 0
    code = _one_code(db)
    assert capsys.readouterr().out == f"{poster}: 1 page(s) (fr), a new code {code}\n"
    [(text, qr_codes)] = _pages(poster)
    assert qr_codes == [f"https://t.me/{BOT}?start={code}"]
    for line in _says("fr", code):
        assert line in text
    # French, not the English the code is written in.
    assert "Scannez le code avec votre téléphone. Le coach s'ouvre dans Telegram." in text
    assert "La participation est volontaire." in text


def test_posters_printed_again_share_the_teams_code_until_it_is_revoked(db, tmp_path, capsys):
    first, again, fresh = tmp_path / "first.pdf", tmp_path / "again.pdf", tmp_path / "fresh.pdf"
    assert _poster(db, first) == 0
    assert _poster(db, again, "--lang", "nl,de") == 0
    code = _one_code(db)
    assert f"2 page(s) (nl, de), the team's open poster code {code}" in capsys.readouterr().out
    (dutch, dutch_qr), (german, german_qr) = _pages(again)
    assert dutch_qr == german_qr == [f"https://t.me/{BOT}?start={code}"]
    assert all(line in dutch for line in _says("nl", code))
    assert all(line in german for line in _says("de", code))
    assert "Meedoen is vrijwillig." in dutch and "Die Teilnahme ist freiwillig." in german
    assert main(["invite", "revoke", code, "--db", db]) == 0
    assert _poster(db, fresh) == 0
    (old, old_revoked), (new, new_revoked) = _codes(db)
    assert (old, old_revoked, new_revoked) == (code, True, False)
    assert _pages(fresh)[0][1] == [f"https://t.me/{BOT}?start={new}"]


def test_without_the_bots_telegram_name_the_poster_has_no_qr_code_and_says_so(
    db, tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME")
    poster = tmp_path / "matrix-only.pdf"
    assert _poster(db, poster) == 0
    assert "no QR code on it: set TELEGRAM_BOT_USERNAME to add the Telegram one" in capsys.readouterr().err
    code = _one_code(db)
    [(text, qr_codes)] = _pages(poster)
    assert qr_codes == []
    assert "Telegram" not in text and f"!start {code}" in text


@pytest.mark.parametrize(
    ("args", "unset", "message"),
    [
        ([], ("TELEGRAM_BOT_USERNAME", "MATRIX_USER_ID"),
         "digicoach: a poster must say where to find the coach: set TELEGRAM_BOT_USERNAME (the bot's user "
         "name, for the Telegram link) or MATRIX_USER_ID (the coach's Matrix account), or both\n"),
        (["--lang", "nl,vl"], (), "digicoach: --lang: unknown language 'vl'; use nl, en, fr, de\n"),
        (["--team", "mouscron/nope"], (),
         "digicoach: no team 'mouscron/nope'; write it as organisation/team (see 'digicoach org show')\n"),
    ],
)  # fmt: skip
def test_a_poster_that_cannot_be_made_is_one_line_and_exit_2_and_makes_no_code(
    args, unset, message, db, tmp_path, monkeypatch, capsys
):
    for name in unset:
        monkeypatch.delenv(name)
    team = [] if "--team" in args else ["--team", "mouscron/population"]
    assert main(["invite", "poster", *team, *args, "--output", str(tmp_path / "p.pdf"), "--db", db]) == 2
    assert capsys.readouterr().err == message
    assert _codes(db) == []
    assert not (tmp_path / "p.pdf").exists()
