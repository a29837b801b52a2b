"""``digicoach invite bulk``: a staff list becomes one single-use code per person, all of them or none."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from bot.adapters.memory import MemoryChat
from bot.cli import main
from lessons.engine import Coach
from storage.unit_of_work import Store

ORG = Path(__file__).parents[1] / "fixtures" / "org" / "westhoek.yaml"
TEAMS = ("poperinge/burgerzaken", "poperinge/ict", "ieper/welzijn")
# Three wrong rows among 300: a team that does not exist, a phone number where the address goes,
# and a row with a cell too many (a personal detail that has no column).
BROKEN = {
    58: "poperinge/financien,Person 057,person057@poperinge.be",
    124: "ieper/welzijn,Person 123,+32 57 34 66 00",
    251: "poperinge/ict,Person 250,person250@poperinge.be,1968-04-02",
}
NOT_MADE = (
    "digicoach: 3 row(s) of the staff list are wrong (listed above); nothing was made: "
    "fix them and run it again\n"
)


def _staff_list(path: Path, broken: dict[int, str]) -> Path:
    """300 people after the line of column names; line n is person n - 1."""
    lines = ["team,name,email"]
    for n in range(1, 301):
        line = len(lines) + 1
        lines.append(broken.get(line, f"{TEAMS[n % 3]},Person {n:03},person{n:03}@poperinge.be"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def db(empty_database, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "WesthoekCoachBot")
    monkeypatch.delenv("MATRIX_USER_ID", raising=False)
    assert main(["org", "apply", str(ORG), "--db", empty_database]) == 0
    capsys.readouterr()
    return empty_database


def _everything_stored(db: str) -> str:
    """Every value of every table, as one text to search in."""
    store = Store(db)
    tables = MetaData()
    tables.reflect(store.engine)
    with store.engine.connect() as connection:
        text = "\n".join(
            repr(row) for table in tables.sorted_tables for row in connection.execute(select(table))
        )
    store.close()
    return text


def _codes(db: str) -> list[tuple[str, str, int]]:
    store = Store(db)
    with store.transaction() as tx:
        teams = {t.id: f"{o.slug}/{t.slug}" for o in tx.organisations.all() for t in tx.teams.of(o.id)}
        found = [(i.kind, teams[i.team_id], i.max_uses) for i in tx.invites.of_teams(list(teams), "member")]
    store.close()
    return found


def test_three_wrong_rows_of_300_are_reported_by_line_and_nothing_is_made_until_they_are_fixed(
    db, tmp_path, capsys
):
    staff = _staff_list(tmp_path / "staff.csv", BROKEN)
    assert main(["invite", "bulk", str(staff), "--db", db]) == 2
    assert capsys.readouterr().err == (
        f"{staff}:58: no team 'poperinge/financien'; write it as organisation/team "
        "(see 'digicoach org show')\n"
        f"{staff}:124: '+32 57 34 66 00' is not an e-mail address\n"
        f"{staff}:251: 4 cells, but the first line names 3\n" + NOT_MADE
    )
    assert _codes(db) == []
    assert "invite bulk" not in _everything_stored(db)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["staff.csv"]

    _staff_list(staff, {})
    assert main(["invite", "bulk", str(staff), "--db", db]) == 0
    output = tmp_path / "staff-invites.csv"
    assert capsys.readouterr().out.startswith(f"{output}: 300 single-use code(s), valid until ")
    with output.open(encoding="utf-8-sig", newline="") as read:
        rows = list(csv.DictReader(read))
    assert [(r["team"], r["name"], r["email"]) for r in rows[:2]] == [
        ("poperinge/ict", "Person 001", "person001@poperinge.be"),
        ("ieper/welzijn", "Person 002", "person002@poperinge.be"),
    ]
    assert all(r["telegram_link"] == f"https://t.me/WesthoekCoachBot?start={r['code']}" for r in rows)
    assert all(r["matrix_message"] == "" for r in rows)  # MATRIX_USER_ID is not set
    assert len({r["code"] for r in rows}) == 300
    assert sorted(set(_codes(db))) == [
        ("staff-list", "ieper/welzijn", 1),
        ("staff-list", "poperinge/burgerzaken", 1),
        ("staff-list", "poperinge/ict", 1),
    ]
    assert len(_codes(db)) == 300
    # The coach keeps the codes and their teams; who they were for is in HR's file alone.
    stored = _everything_stored(db)
    assert "Person 0" not in stored and "@poperinge.be" not in stored
    assert oct(output.stat().st_mode & 0o777) == "0o600"


def test_a_list_from_a_belgian_excel_with_team_names_of_one_organisation(
    db, tmp_path, capsys, fixture_library
):
    # Excel's plain "CSV" here: semicolons and Windows-1252, team names as HR writes them.
    staff = tmp_path / "personeel.csv"
    staff.write_bytes(
        "Team;Name;Email\nBurgerzaken;Saïd Benali;said@poperinge.be\nict;Nele Claes;\n".encode("cp1252")
    )
    assert main(["invite", "bulk", str(staff), "--org", "poperinge", "--output", str(tmp_path / "out.csv"),
                 "--db", db]) == 0  # fmt: skip
    assert "(read as windows-1252: it is not UTF-8)" in capsys.readouterr().out
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as read:
        said, nele = csv.DictReader(read, delimiter=";")
    assert (said["team"], said["name"], nele["team"], nele["email"]) == (
        "poperinge/burgerzaken", "Saïd Benali", "poperinge/ict", ""
    )  # fmt: skip
    store = Store(db)
    coach = Coach(store, fixture_library, charts=tmp_path / "charts")
    first, second = MemoryChat(coach, "said", "fr"), MemoryChat(coach, "someone-else", "en")
    first.command(f"/start {said['code']}")
    assert "Bienvenue ! Vous faites maintenant partie de Burgerzaken (Stad Poperinge)." in first.text
    second.command(f"/start {said['code']}")
    assert "used as often as it may be" in second.text
    store.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("team,name,email,phone\npoperinge/ict,Nele,nele@poperinge.be,0470 00 00 00\n",
         "{staff}:1: the first line names the columns: 'team', and if you like 'name' and 'email'; found "
         "'team', 'name', 'email', 'phone'. The coach takes no other personal data: "
         "remove the other columns\n"
         "digicoach: the staff list's columns are wrong (see above); nothing was made\n"),
        ("team,name\n", "digicoach: {staff} has nobody on it, only the line that names the columns\n"),
        ("team\nwelzijn\n",
         "{staff}:2: no team 'welzijn': write it as organisation/team, or name its organisation "
         "with --org\n"),
    ],
)  # fmt: skip
def test_a_list_that_is_not_a_staff_list_makes_nothing(content, message, db, tmp_path, capsys):
    staff = tmp_path / "staff.csv"
    staff.write_text(content, encoding="utf-8")
    assert main(["invite", "bulk", str(staff), "--db", db]) == 2
    assert capsys.readouterr().err.startswith(message.format(staff=staff))
    assert _codes(db) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["staff.csv"]


def test_an_output_that_exists_is_not_overwritten(db, tmp_path, capsys):
    staff = _staff_list(tmp_path / "staff.csv", {})
    (tmp_path / "staff-invites.csv").write_text("sent last week\n")
    assert main(["invite", "bulk", str(staff), "--db", db]) == 2
    assert capsys.readouterr().err == (
        f"digicoach: {tmp_path / 'staff-invites.csv'} exists already: name another --output, "
        "or move that file first\n"
    )
    assert _codes(db) == []
