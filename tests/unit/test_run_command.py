"""`digicoach run` without any chat platform configured says what to set."""

from __future__ import annotations

from bot.cli import main


def test_run_without_a_platform_explains_what_to_configure(capsys):
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "no chat platform is configured" in err
    assert "digicoach chat" in err
