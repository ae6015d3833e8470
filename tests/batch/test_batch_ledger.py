"""The ledger survives a torn write: a last line without its newline (a crash, a full disk, a
power cut that leaves zeros) is repaired before the next append instead of swallowing it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kinchain.batch.store import LEDGER, Ledger, repair_tail


def _entry(trial_id: str) -> dict[str, str]:
    return {
        "trial_id": trial_id,
        "input_sha256": "a" * 64,
        "params_hash": "p",
        "spec_hash": "s",
        "status": "ok",
        "run_id": "r1",
    }


def _line(trial_id: str) -> bytes:
    return json.dumps(_entry(trial_id), sort_keys=True).encode()


@pytest.mark.parametrize(
    ("tail", "kept", "action"),
    [
        (_line("t2")[:25], {"t1", "t3"}, "torn last line of 25 byte(s) removed"),
        (b"\x00" * 4096, {"t1", "t3"}, "torn last line of 4096 byte(s) removed"),
        (_line("t2"), {"t1", "t2", "t3"}, "newline added after the last record"),
    ],
    ids=["half-written record", "zero-filled tail", "record without its newline"],
)
def test_a_torn_last_line_does_not_swallow_the_next_record(
    tmp_path: Path, tail: bytes, kept: set[str], action: str
) -> None:
    path = tmp_path / LEDGER
    path.write_bytes(_line("t1") + b"\n" + tail)
    ledger = Ledger(tmp_path)
    assert set(ledger.entries) == kept - {"t3"}  # read: the torn line is ignored
    ledger.commit(_entry("t3"))
    ledger.close()
    assert ledger.repaired == action

    data = path.read_bytes()
    assert data.endswith(b"\n")
    records = [json.loads(line) for line in data.splitlines()]  # every line is one record
    assert {r["trial_id"] for r in records} == kept
    assert set(Ledger(tmp_path).entries) == kept
    assert Ledger(tmp_path).is_done("t3", "a" * 64, "p", "s")


def test_a_sound_ledger_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / LEDGER
    assert repair_tail(path) is None  # no file
    path.write_bytes(b"")
    assert repair_tail(path) is None
    sound = _line("t1") + b"\n" + _line("t2") + b"\n"
    path.write_bytes(sound)
    assert repair_tail(path) is None
    assert path.read_bytes() == sound


def test_a_single_torn_line_is_removed(tmp_path: Path) -> None:
    path = tmp_path / LEDGER
    path.write_bytes(_line("t1")[:-3])
    assert repair_tail(path) == f"torn last line of {len(_line('t1')) - 3} byte(s) removed"
    assert path.read_bytes() == b""
