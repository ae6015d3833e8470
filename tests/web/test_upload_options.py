"""The web upload takes the CLI's trial options (issue 16 item 2, issue 10): a Vicon subject
file, a static trial with ``flat_foot``, the marker diameter, cut-off and max gap; they are read
by the same code as ``kinchain analyze`` (the curves match it exactly), checked before anything
is stored (422 naming the field), stored with the visit, shown on its page; migration 0002
upgrades a database written by 0001 without losing its visits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ezc3d
import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from kinchain.analysis import analyze
from kinchain.cli.trial_options import load_inputs
from kinchain.process import ProcessOptions, process
from kinchain.store import Store, Visit
from kinchain.store.db import _alembic_config
from kinchain.web.curves import curves_payload
from kinchain.web.inputs import measurements_of
from kinchain.web.jobs import JobRunner
from shared_paths import shared_data

from .conftest import DEMO, database_at, insert_old_patient, new_patient, new_visit, wait_done

SAMPLE_09 = shared_data() / "c3d-org" / "sample_09"
VER4 = SAMPLE_09 / "VER4C3D.c3d"
MP = SAMPLE_09 / "42798.mp"

needs_sample_09 = pytest.mark.skipif(not VER4.is_file(), reason="shared data not present")


def frozen_copy(path: Path, source: Path = DEMO, frame: int = 100) -> Path:
    """The trial with every frame equal to ``frame``: a standing (static) trial (as
    tests/cli/test_trial_options.py builds it)."""
    c = ezc3d.c3d(str(source))
    pts = c["data"]["points"]
    pts[:, :, :] = pts[:, :, frame : frame + 1]
    c["data"]["points"] = pts
    c.write(str(path))
    return path


def without_heels(path: Path) -> Path:
    """A standing copy of the demo with no heel markers: it cannot be calibrated."""
    frozen_copy(path)
    c = ezc3d.c3d(str(path))
    labels = list(c["parameters"]["POINT"]["LABELS"]["value"])
    for name in ("LHEE", "RHEE"):
        labels[labels.index(name)] = name.replace("HEE", "XXX")
    c["parameters"]["POINT"]["LABELS"]["value"] = labels
    c.write(str(path))
    return path


def upload(
    client: TestClient,
    csrf: dict[str, str],
    vid: int,
    trial: Path,
    extra: dict[str, tuple[str, bytes]] | None = None,
    **fields: str,
) -> Any:
    files: dict[str, Any] = {"trial": (trial.name, trial.read_bytes(), "application/octet-stream")}
    for key, (name, data) in (extra or {}).items():
        files[key] = (name, data, "application/octet-stream")
    return client.post(f"/api/v1/visits/{vid}/trial", files=files, data=fields, headers=csrf)


def panel(curves: dict[str, Any], pid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in curves["panels"] if p["id"] == pid)
    return found


def cli_curves(trial: Path, **kw: Any) -> dict[str, Any]:
    """The curves of ``trial`` processed as ``kinchain analyze`` does (load_inputs, process)."""
    options = kw.pop("options", None)
    loaded, subj = load_inputs(trial, **kw)
    return curves_payload(analyze(process(loaded, subj, options)))


@needs_sample_09
def test_subject_file_and_marker_diameter_give_the_cli_result(
    client: TestClient, csrf: dict[str, str]
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = upload(
        client,
        csrf,
        vid,
        VER4,
        {"subject_file": ("42798.mp", MP.read_bytes())},
        marker_diameter_mm="25",
        max_gap_s="0.1",
    )
    assert r.status_code == 202, r.text
    assert wait_done(client, vid)["status"] == "done"
    web = client.get(f"/api/v1/visits/{vid}/curves").json()
    cli = cli_curves(VER4, subject=MP, marker_diameter_mm=25.0)
    for pid in ("KneeAngles_0", "KneeAngles_1", "HipAngles_0", "AnkleAngles_0"):
        assert panel(web, pid) == panel(cli, pid), pid
    # The options matter: the file's own diameter (14 mm) gives other knee angles.
    default = cli_curves(VER4, subject=MP)
    assert panel(default, "KneeAngles_1") != panel(web, "KneeAngles_1")
    detail = client.get(f"/api/v1/visits/{vid}").json()
    assert detail["inputs"] == {
        "grf": False,
        "subject_file": "42798.mp",
        "static": None,
        "measurements": False,
        "options": {"marker_diameter_mm": 25.0, "max_gap_s": 0.1},
    }
    page = client.get(f"/visits/{vid}").text
    assert "42798.mp" in page and "25 mm" in page
    assert '<td id="input-static">no</td>' in page


@needs_sample_09
def test_typed_measurement_wins_over_the_subject_file(
    client: TestClient, csrf: dict[str, str]
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = upload(
        client,
        csrf,
        vid,
        VER4,
        {"subject_file": ("42798.mp", MP.read_bytes())},
        knee_width_left_mm="120",
    )
    assert r.status_code == 202, r.text
    assert wait_done(client, vid)["status"] == "done"
    subject = client.get(f"/api/v1/visits/{vid}/analysis").json()["provenance"]["subject"]
    _, from_cli = load_inputs(VER4, subject=MP, measurements={"knee_width_left_m": 0.12})
    assert from_cli is not None
    assert subject["knee_width_m"] == {"left": 0.12, "right": 0.101}  # right: the .mp's
    assert subject["knee_width_m"] == from_cli.knee_width_m
    assert subject["mass_kg"] == from_cli.mass_kg == 66.2
    web = client.get(f"/api/v1/visits/{vid}/curves").json()
    cli = cli_curves(VER4, subject=MP, measurements={"knee_width_left_m": 0.12})
    assert panel(web, "KneeAngles_1") == panel(cli, "KneeAngles_1")


def test_static_trial_with_flat_foot(
    client: TestClient, csrf: dict[str, str], tmp_path: Path
) -> None:
    standing = frozen_copy(tmp_path / "standing.c3d")
    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = upload(
        client,
        csrf,
        vid,
        DEMO,
        {"static": ("standing.c3d", standing.read_bytes())},
        flat_foot="true",
        marker_cutoff_hz="6",
    )
    assert r.status_code == 202, r.text
    assert wait_done(client, vid)["status"] == "done"
    web = client.get(f"/api/v1/visits/{vid}/curves").json()
    options = ProcessOptions(marker_cutoff_hz=6.0)
    cli = cli_curves(DEMO, static=standing, flat_foot=True, options=options)
    assert panel(web, "AnkleAngles_0") == panel(cli, "AnkleAngles_0")
    # ... and the static changed the ankle (the calibrated foot offsets are used).
    plain = cli_curves(DEMO, options=options)
    assert panel(plain, "AnkleAngles_0") != panel(web, "AnkleAngles_0")
    inputs = client.get(f"/api/v1/visits/{vid}").json()["inputs"]
    assert inputs["static"] == "standing.c3d"
    assert inputs["options"] == {"flat_foot": True, "marker_cutoff_hz": 6.0}
    page = client.get(f"/visits/{vid}").text
    assert "yes: standing.c3d (flat foot)" in page


def test_bad_options_are_refused_by_field_and_keep_earlier_results(
    client: TestClient, csrf: dict[str, str], store: Store, tmp_path: Path
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    assert upload(client, csrf, vid, DEMO).status_code == 202
    assert wait_done(client, vid)["status"] == "done"
    with store.session() as db:
        before = db.get(Visit, vid)
        assert before is not None
        kept = (before.trial_sha, before.analysis_json, before.report_pdf_sha, before.status)
    blobs = sorted(p for p in store.blobs.root.rglob("*") if p.is_file())
    standing = frozen_copy(tmp_path / "standing.c3d").read_bytes()
    no_heels = without_heels(tmp_path / "noheels.c3d").read_bytes()
    cases: list[tuple[dict[str, tuple[str, bytes]], dict[str, str], str, str]] = [
        ({"subject_file": ("s.mp", b"this is not a subject file\n")}, {}, "subject_file", ""),
        ({"subject_file": ("s.txt", b"$Bodymass = 70\n")}, {}, "subject_file", ".mp"),
        ({"subject_file": ("s.mp", b"")}, {}, "subject_file", "empty"),
        ({"static": ("noheels.c3d", no_heels)}, {}, "static", "HEE"),
        ({"static": ("s.c3d", b"not a c3d" * 20)}, {}, "static", ""),
        ({"static": ("s.trc", standing)}, {}, "static", ".c3d"),
        ({}, {"flat_foot": "true"}, "flat_foot", "static"),
        ({}, {"flat_foot": "maybe"}, "flat_foot", ""),
        ({}, {"marker_diameter_mm": "0.5"}, "marker_diameter_mm", "not plausible"),
        ({}, {"marker_diameter_mm": "60"}, "marker_diameter_mm", "not plausible"),
        ({}, {"marker_diameter_mm": "wide"}, "marker_diameter_mm", "number"),
        ({}, {"marker_cutoff_hz": "0"}, "marker_cutoff_hz", "positive"),
        ({}, {"max_gap_s": "-1"}, "max_gap_s", "0 or more"),
        ({}, {"knee_width_left_mm": "-3"}, "knee_width_left_mm", "positive"),
    ]
    for files, fields, field, words in cases:
        r = upload(client, csrf, vid, DEMO, files, **fields)
        assert r.status_code == 422, (field, r.text)
        body = r.json()
        assert body["field"] == field, body
        assert words in body["detail"], body
        assert "/tmp" not in body["detail"] and "kinchain-upload" not in body["detail"]
    with store.session() as db:
        after = db.get(Visit, vid)
        assert after is not None
        assert (after.trial_sha, after.analysis_json, after.report_pdf_sha, after.status) == kept
        assert after.static_sha is None and after.subject_file_sha is None
        assert after.options_json is None
    assert sorted(p for p in store.blobs.root.rglob("*") if p.is_file()) == blobs


def test_page_form_takes_the_options_and_shows_a_refusal_beside_its_field(
    client: TestClient, csrf: dict[str, str]
) -> None:
    import re

    pid = new_patient(client, csrf)
    page = client.get(f"/patients/{pid}")
    for name in ("subject_file", "static", "flat_foot", "marker_diameter_mm", "max_gap_s"):
        assert f'name="{name}"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = client.post(
        f"/patients/{pid}/visits",
        data={"csrf_token": token.group(1), "marker_diameter_mm": "99"},
        files={"trial": ("walk.c3d", DEMO.read_bytes(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert r.status_code == 422
    assert re.search(r'name="marker_diameter_mm"[^>]*>\s*<span class="field-error">99', r.text), (
        r.text
    )
    assert client.get(f"/api/v1/patients/{pid}").json()["visits"] == []
    r = client.post(
        f"/patients/{pid}/visits",
        data={"csrf_token": token.group(1), "marker_diameter_mm": "14"},
        files={"trial": ("walk.c3d", DEMO.read_bytes(), "application/octet-stream")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    vid = int(r.headers["location"].rsplit("/", 1)[1])
    # stored with the new upload (the visit's "inputs" are those of the results shown, once the
    # analysis succeeds)
    assert client.get(f"/api/v1/visits/{vid}").json()["uploads"][0]["options"] == {
        "marker_diameter_mm": 14.0
    }


# ------------------------------------------------------------------ migration 0002
OLD_SUBJECT = {
    "mass_kg": 70.0,
    "leg_length_m": {"left": 0.9, "right": 0.905},
    "knee_width_m": {"left": 0.1, "right": 0.105},
    "ankle_width_m": {"left": 0.07, "right": 0.072},
    "source": "form",
    "height_m": 1.7,
}


def test_migration_upgrades_a_0001_database_and_keeps_its_visits(
    backend: str, tmp_path: Path
) -> None:
    url = database_at(backend, tmp_path, "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        insert_old_patient(conn)
        conn.execute(
            text(
                "INSERT INTO visits (id, patient_id, visit_date, label, created_at, updated_at,"
                " status, progress, stage, attempts, trial_sha, trial_name, subject_json)"
                " VALUES (1, 1, '2026-11-25', 'before 0002', '2026-11-25 10:00:00',"
                " '2026-11-25 10:00:00', 'done', 100, 'done', 1, :sha, 'walk.c3d', :subj)"
            ),
            {"sha": "0" * 64, "subj": json.dumps(OLD_SUBJECT)},
        )
    engine.dispose()
    store = Store(url, tmp_path / "blobs")  # upgrades to head
    try:
        with store.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == ScriptDirectory.from_config(_alembic_config(url)).get_current_head()
        sha, _ = store.blobs.put(DEMO.read_bytes())
        with store.session() as db:
            v = db.get(Visit, 1)
            assert v is not None and v.label == "before 0002" and v.status == "done"
            assert v.subject_file_sha is None and v.static_sha is None
            assert v.options_json is None
            assert json.loads(v.subject_json or "") == OLD_SUBJECT
            # 0003 keeps the visit's files as its first upload, waiting (no results stored)
            (u,) = v.uploads
            assert u.status == "queued" and json.loads(u.trials_json)[0]["name"] == "walk.c3d"
            assert json.loads(u.subject_json or "") == OLD_SUBJECT
            u.trials_json = json.dumps([{"sha": sha, "name": "walk.c3d"}])  # a real trial
        # The old stored measurements are read as the same typed values ...
        old = measurements_of(json.dumps(OLD_SUBJECT))
        assert old == {
            "mass_kg": 70.0,
            "height_m": 1.7,
            "leg_length_left_m": 0.9,
            "leg_length_right_m": 0.905,
            "knee_width_left_m": 0.1,
            "knee_width_right_m": 0.105,
            "ankle_width_left_m": 0.07,
            "ankle_width_right_m": 0.072,
        }
        # ... and the visit is analysed again with them.
        runner = JobRunner(store, start=False, work_dir=tmp_path / "work")
        runner.run(1)
        with store.session() as db:
            v = db.get(Visit, 1)
            assert v is not None
            assert v.status == "done", v.error
            subject = json.loads(v.analysis_json or "{}")["provenance"]["subject"]
        assert subject["knee_width_m"] == OLD_SUBJECT["knee_width_m"]
        assert subject["mass_kg"] == 70.0
    finally:
        store.dispose()
