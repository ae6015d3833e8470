"""``kinchain serve --create-user``: the password length is checked right after the first entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinchain.cli.main import app

EMAIL = "new.clinician@example.org"
GOOD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KINCHAIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KINCHAIN_MAX_UPLOAD_MB", raising=False)


def _run(tmp_path: Path, answers: str) -> tuple[int, str]:
    args = ["serve", "--data-dir", str(tmp_path), "--create-user", EMAIL]
    result = CliRunner().invoke(app, args, input=answers)
    return result.exit_code, result.output


def test_short_password_is_refused_before_the_confirmation(tmp_path: Path) -> None:
    code, out = _run(tmp_path, f"short\n{GOOD}\n{GOOD}\n")
    assert code == 0, out
    error = out.index("needs at least 10 characters")
    assert "Repeat for confirmation" not in out[:error]
    assert out.count("Repeat for confirmation") == 1
    assert f"created administrator {EMAIL}" in out


def test_good_password_asked_twice(tmp_path: Path) -> None:
    code, out = _run(tmp_path, f"{GOOD}\n{GOOD}\n")
    assert code == 0, out
    assert "needs at least" not in out
    assert f"created administrator {EMAIL}" in out


def test_differing_entries_ask_again(tmp_path: Path) -> None:
    code, out = _run(tmp_path, f"{GOOD}\n{GOOD}x\n{GOOD}\n{GOOD}\n")
    assert code == 0, out
    assert "the two entries differ" in out
    assert f"created administrator {EMAIL}" in out


def test_password_file_still_checked(tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text("short\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["serve", "--data-dir", str(tmp_path), "--create-user", EMAIL, "--password-file", str(pw)],
    )
    assert result.exit_code != 0


def test_later_accounts_are_clinicians_unless_admin(tmp_path: Path) -> None:
    pw = tmp_path / "pw.txt"
    pw.write_text(f"{GOOD}\n", encoding="utf-8")

    def create(email: str, *extra: str) -> str:
        args = ["serve", "--data-dir", str(tmp_path), "--create-user", email]
        result = CliRunner().invoke(app, [*args, "--password-file", str(pw), *extra])
        assert result.exit_code == 0, result.output
        return result.output

    assert f"created administrator {EMAIL}" in create(EMAIL)
    assert "created clinician second@example.org" in create("second@example.org")
    assert "created administrator third@example.org" in create("third@example.org", "--admin")
    result = CliRunner().invoke(app, ["serve", "--data-dir", str(tmp_path), "--admin"])
    assert result.exit_code != 0 and "--admin: goes with --create-user" in str(result.exception)
