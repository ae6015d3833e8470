"""An upload is checked as the CLI checks a trial before it is accepted (issue 11 item 6): a trial
missing a marker the model needs, one whose needed marker has no valid sample, or one whose
markers are absurdly far away is refused with 422 naming the problem, and nothing is stored or
queued; a good trial is still accepted."""

from __future__ import annotations

from pathlib import Path

import ezc3d
import numpy as np
import pytest
from fastapi.testclient import TestClient

from kinchain.store import Store, Visit

from .conftest import DEMO, new_patient, new_visit


def _variant(tmp: Path, name: str, change: str) -> Path:
    """The demo trial with one change: ``rename`` LKNE to XKNE, ``nan`` every LANK sample,
    ``huge`` every coordinate at 1e30 mm."""
    c = ezc3d.c3d(str(DEMO))
    labels = list(c["parameters"]["POINT"]["LABELS"]["value"])
    points = c["data"]["points"]
    if change == "rename":
        labels[labels.index("LKNE")] = "XKNE"
        c["parameters"]["POINT"]["LABELS"]["value"] = labels
    elif change == "nan":
        points[:3, labels.index("LANK"), :] = np.nan
    elif change == "huge":
        points[:3] = 1e30
    else:  # pragma: no cover - test helper misuse
        raise ValueError(change)
    c["data"]["points"] = points
    c["data"]["meta_points"] = {}  # residuals and camera masks follow the points
    out = tmp / name
    c.write(str(out))
    return out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("rename", "missing required marker(s): LKNE"),
        ("nan", "LANK have no valid frame"),
        ("huge", "1e"),
    ],
)
def test_a_trial_the_model_cannot_use_is_refused_before_it_is_stored(
    client: TestClient,
    csrf: dict[str, str],
    store: Store,
    tmp_path: Path,
    change: str,
    expected: str,
) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    path = _variant(tmp_path, f"{change}.c3d", change)
    with path.open("rb") as fh:
        r = client.post(
            f"/api/v1/visits/{vid}/trial",
            files={"trial": (f"{change}.c3d", fh, "application/octet-stream")},
            headers=csrf,
        )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "trial"
    assert expected in body["detail"]
    assert "/tmp" not in body["detail"] and "kinchain-upload" not in body["detail"]
    with store.session() as db:
        v = db.get(Visit, vid)
        assert v is not None and v.trial_sha is None and v.status == "empty"
    assert not [p for p in store.blobs.root.rglob("*") if p.is_file()]
    # the page shows the same problem on the form, with nothing queued
    page = client.get(f"/visits/{vid}")
    assert page.status_code == 200 and "queued" not in page.text.lower()


def test_a_good_trial_is_still_accepted(client: TestClient, csrf: dict[str, str]) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    with DEMO.open("rb") as fh:
        r = client.post(
            f"/api/v1/visits/{vid}/trial",
            files={"trial": ("walk.c3d", fh, "application/octet-stream")},
            headers=csrf,
        )
    assert r.status_code == 202, r.text
