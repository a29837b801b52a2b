"""Organisations from the admin's file, invite codes, roles, and the audit log."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from lessons.invites import InviteError, create, parse_duration, revoke
from lessons.organisation_file import apply, load
from tests.support.flows import onboard

ORG = Path(__file__).parents[1] / "fixtures" / "org"


def _apply(store, clock, path=ORG / "westhoek.yaml"):
    spec = load(path)
    assert not isinstance(spec, list), spec
    with store.transaction() as tx:
        return [str(c) for c in apply(tx, spec, "cli:admin", clock())]


def _invite(store, clock, where="poperinge/ict", role="member", **kw):
    with store.transaction() as tx:
        return create(tx, where=where, role=role, expires=kw.get("expires", timedelta(days=14)),
                      uses=kw.get("uses", 1), actor="cli:admin", now=clock())  # fmt: skip


def test_apply_creates_then_changes_nothing_then_archives_what_left_the_file(store, clock, tmp_path):
    assert _apply(store, clock) == [
        "+ region westhoek (nl: Regio Westhoek, fr: Région du Westhoek)",
        "+ organisation poperinge (Stad Poperinge)",
        "+ team poperinge/burgerzaken (Burgerzaken)",
        "+ team poperinge/ict (Dienst ICT)",
        "+ organisation ieper (Stad Ieper)",
        "+ team ieper/welzijn (Welzijn)",
    ]
    assert _apply(store, clock) == []
    smaller = tmp_path / "org.yaml"
    smaller.write_text(
        (ORG / "westhoek.yaml")
        .read_text()
        .replace("Dienst ICT", "ICT en Digitalisering")
        .split("  - id: ieper")[0]
    )
    assert _apply(store, clock, smaller) == [
        "~ team poperinge/ict: name: 'Dienst ICT' -> 'ICT en Digitalisering'",
        "- organisation ieper archived (not in the file; kept)",
    ]
    with store.transaction() as tx:
        assert [e.action for e in tx.audit.entries()] == ["org apply", "org apply"]


def test_a_broken_organisation_file_names_line_and_column():
    problems = [str(p) for p in load(ORG / "broken.yaml")]
    assert problems == [
        f"{ORG / 'broken.yaml'}:5:15: organisations[1].timezone: unknown time zone 'Europe/Brusels'; "
        "did you mean 'Europe/Brussels'?",
        f"{ORG / 'broken.yaml'}:9:9: unknown key 'managers'; remove it or check the spelling",
    ]


def test_a_learner_joins_a_team_with_an_invite_code(chat, store, clock):
    _apply(store, clock)
    code = _invite(store, clock).code
    georgette = chat("georgette")
    georgette.command(f"/start {code}")
    assert "Welcome! You joined Dienst ICT of Stad Poperinge." in georgette.text
    assert "Which language do you prefer?" in georgette.text
    with store.transaction() as tx:
        learner = tx.learners.find("memory", "georgette")
        assert [(r.role, r.team_id is not None) for r in tx.roles.of(learner.id)] == [("member", True)]
        assert [e.action for e in tx.audit.entries()] == ["org apply", "invite create", "role granted"]


def test_a_used_expired_or_wrong_code_gets_a_clear_reply(chat, store, clock):
    _apply(store, clock)
    once = _invite(store, clock).code
    soon = _invite(store, clock, expires=timedelta(hours=1)).code
    chat("first").command(f"/start {once}")
    second = chat("second")
    second.command(f"/start {once}")
    assert "used as often as it may be" in second.text
    clock.advance(hours=2)
    late = chat("late")
    late.command(f"/start {soon}")
    assert "has expired" in late.text
    guess = chat("guess")
    guess.command("/start AAAAAAAAAAAAAAAA")
    assert "not valid" in guess.text
    assert "Which language do you prefer?" in guess.text  # onboarding goes on


def test_a_manager_invite_for_someone_already_coaching(chat, store, clock):
    _apply(store, clock)
    nele = chat("nele")
    onboard(nele)
    nele.command(f"/start {_invite(store, clock, role='manager').code}")
    assert "You are now a manager of Dienst ICT (Stad Poperinge)." in nele.text
    assert "Welcome back" in nele.text


def test_invites_refuse_unknown_places_and_roles(store, clock):
    _apply(store, clock)
    for where, role, message in [
        ("poperinge/nope", "member", "no team 'poperinge/nope'"),
        ("nowhere", "org-admin", "no organisation 'nowhere'"),
        ("poperinge/ict", "boss", "unknown role 'boss'"),
        ("flanders", "region-admin", "no organisation is in region 'flanders'"),
    ]:
        with pytest.raises(InviteError, match=message):
            _invite(store, clock, where=where, role=role)
    assert parse_duration("12h") == timedelta(hours=12)
    with pytest.raises(InviteError, match="not a duration"):
        parse_duration("two weeks")


def test_the_org_and_invite_commands(empty_database, capsys, monkeypatch):
    db = empty_database
    assert main(["org", "apply", str(ORG / "westhoek.yaml"), "--dry-run", "--db", db]) == 0
    assert "6 would change" in capsys.readouterr().err
    assert main(["org", "show", "--db", db]) == 0
    assert "no organisations yet" in capsys.readouterr().out
    assert main(["org", "apply", str(ORG / "westhoek.yaml"), "--db", db]) == 0
    assert main(["org", "show", "--db", db]) == 0
    assert "poperinge/ict: Dienst ICT - 0 member(s), 0 manager(s)" in capsys.readouterr().out
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "digicoach_bot")
    assert main(["invite", "create", "--team", "poperinge/ict", "--role", "manager", "--db", db]) == 0
    out = capsys.readouterr().out
    code = out.split()[1]
    assert f"https://t.me/digicoach_bot?start={code}" in out
    assert f"!start {code}" in out
    assert main(["org", "apply", str(ORG / "broken.yaml"), "--db", db]) == 1
    assert "unknown time zone 'Europe/Brusels'" in capsys.readouterr().out


def test_the_region_is_called_by_its_name_from_the_file_in_the_readers_language(chat, store, clock, tmp_path):
    _apply(store, clock)
    english = chat("jessy")
    english.command(f"/start {_invite(store, clock, where='westhoek', role='region-admin').code}")
    assert "You are now an admin of region Regio Westhoek." in english.text
    french = chat("jeanne", language="fr")
    onboard(french, language="Français")
    french.command(f"/start {_invite(store, clock, where='westhoek', role='region-admin').code}")
    # English has no name of its own in the file: the Dutch one, as with lesson texts.
    assert [r.title for r in english.command("/digest")] == ["Weekly digest: Regio Westhoek"]
    assert [r.title for r in french.command("/digest")] == ["Bilan hebdomadaire : Région du Westhoek"]
    one_name = tmp_path / "one-name.yaml"
    one_name.write_text((ORG / "westhoek.yaml").read_text().replace(
        "region_name:\n  nl: Regio Westhoek\n  fr: Région du Westhoek\n", "region_name: Westhoek\n"
    ))  # fmt: skip
    assert _apply(store, clock, one_name) == [
        "~ region westhoek: name: None -> 'Westhoek', "
        "names: {'nl': 'Regio Westhoek', 'fr': 'Région du Westhoek'} -> {}"
    ]
    assert [r.title for r in french.command("/digest")] == ["Bilan hebdomadaire : Westhoek"]
    # A file written before region names existed still applies; the digest shows the region's id.
    without = tmp_path / "without.yaml"
    without.write_text(one_name.read_text().replace("region_name: Westhoek\n", ""))
    assert _apply(store, clock, without) == ["~ region westhoek: name: 'Westhoek' -> None"]
    assert [r.title for r in english.command("/digest")] == ["Weekly digest: westhoek"]


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ("region: westhoek\nregion_name:\n  nl: Westhoek\n  vl: Westhoek\n",
         "4:3: unknown language 'vl': use one of nl, en, fr, de"),
        ("region: westhoek\nregion_name:\n  nl: ''\n",
         "3:7: region_name.nl: string should have at least 1 character"),
        ("region: westhoek\nregion_name: {}\n",
         "2:14: region_name: give one name, or one name per language such as 'nl: Westhoek'"),
        ("region: westhoek\nregion_name: [Westhoek, Westland]\n",
         "2:14: region_name: give one name, or one name per language such as 'nl: Westhoek'"),
        ("region_name: Westhoek\n",
         "1:14: region_name: a region name needs a region id too: add 'region: <id>' above it"),
    ],
)  # fmt: skip
def test_a_wrong_region_name_names_line_and_column(lines, problem, tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(lines + "organisations:\n  - id: poperinge\n    name: Stad Poperinge\n", encoding="utf-8")
    assert [str(p) for p in load(path)] == [f"{path}:{problem}"]


WRONG_CODE = "This invite code is not valid. Check it, or ask whoever gave it to you for a new one."
TOO_MANY = "You typed too many wrong invite codes. Please wait 15 minutes and try again."


def test_five_wrong_invite_codes_in_a_minute_pause_codes_for_a_while_and_are_logged(
    chat, store, clock, caplog
):
    _apply(store, clock)
    right = _invite(store, clock).code
    mallory = chat("mallory")
    onboard(mallory)
    for n in range(4):
        mallory.command(f"/start guess{n}")
        assert WRONG_CODE in mallory.text
        clock.advance(seconds=10)
    with caplog.at_level("WARNING", logger="lessons.invites"):
        mallory.command("/start guess4")
    assert WRONG_CODE in mallory.text and TOO_MANY in mallory.text
    assert "5 wrong invite codes within a minute" in caplog.text
    clock.advance(minutes=14)
    mallory.command(f"/start {right}")  # even the right code waits: else guessing would go on
    assert "You typed too many wrong invite codes. Please wait 1 minute and try again." in mallory.text
    assert "You joined" not in mallory.text
    clock.advance(minutes=1)
    mallory.command(f"/start {right}")
    assert "Welcome! You joined Dienst ICT of Stad Poperinge." in mallory.text


def test_wrong_codes_spread_over_time_are_typos_not_guessing(chat, store, clock):
    _apply(store, clock)
    right = _invite(store, clock).code
    nele = chat("nele")
    onboard(nele)
    for n in range(10):
        nele.command(f"/start typo{n}")
        assert WRONG_CODE in nele.text and TOO_MANY not in nele.text
        clock.advance(seconds=16)  # four a minute
    nele.command(f"/start {right}")
    assert "Welcome! You joined" in nele.text


def test_one_learner_guessing_does_not_slow_another(chat, store, clock):
    _apply(store, clock)
    right = _invite(store, clock).code
    mallory, nele = chat("mallory"), chat("nele")
    for n in range(6):
        mallory.command(f"/start guess{n}")
    assert TOO_MANY in mallory.text
    nele.command(f"/start {right}")
    assert "Welcome! You joined" in nele.text


def test_a_revoked_code_is_refused_with_a_clear_reply_and_revoking_is_audited(chat, store, clock):
    _apply(store, clock)
    code = _invite(store, clock, uses=50).code
    chat("first").command(f"/start {code}")
    with store.transaction() as tx:
        revoke(tx, f"https://t.me/digicoach_bot?start={code}", actor="cli:admin", now=clock())
    late = chat("late")
    late.command(f"/start {code}")
    assert "This invite code was withdrawn. Ask whoever gave it to you for a new one." in late.text
    assert "Which language do you prefer?" in late.text  # onboarding goes on, without a team
    # A withdrawn code is a real one: it does not count towards the wrong codes that make codes wait.
    with store.transaction() as tx:
        assert tx.learners.find("memory", "late").wrong_codes == 0
        assert [r.role for r in tx.roles.of(tx.learners.find("memory", "first").id)] == ["member"]
        assert tx.roles.of(tx.learners.find("memory", "late").id) == []
        revoking = [e for e in tx.audit.entries() if e.action == "invite revoke"]
        assert [(e.actor, json.loads(e.details)["uses"]) for e in revoking] == [("cli:admin", 1)]
    with store.transaction() as tx, pytest.raises(InviteError, match="no invite code 'nope'"):
        revoke(tx, "nope", actor="cli:admin", now=clock())


def test_invite_revoke_on_the_command_line(empty_database, capsys):
    db = empty_database
    assert main(["org", "apply", str(ORG / "westhoek.yaml"), "--db", db]) == 0
    capsys.readouterr()
    assert main(["invite", "create", "--team", "poperinge/ict", "--db", db]) == 0
    code = capsys.readouterr().out.split()[1]
    assert main(["invite", "revoke", code, "--db", db]) == 0
    revoked = f"{code} revoked: nobody can join with it any more; the 0 who joined with it stay\n"
    assert capsys.readouterr().out == revoked
    assert main(["invite", "revoke", code, "--db", db]) == 0
    assert f"{code} was already revoked on " in capsys.readouterr().out
    assert main(["invite", "revoke", "typo", "--db", db]) == 2
    assert capsys.readouterr().err == (
        "digicoach: no invite code 'typo'; copy it from the poster, the staff list or the link\n"
    )
