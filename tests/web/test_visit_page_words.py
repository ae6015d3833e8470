"""The visit page in a reader's words (issue 12 item 8): the spatiotemporal table has labels with
units and normal values (the report's own table, out-of-range values marked), not parameter
keys; the clinical panel comes first and has no rule ids or raw priorities."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from .conftest import new_patient, new_visit, upload_demo, wait_done


def test_visit_page_tables_in_words(client: TestClient, csrf: dict[str, str]) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = client.put(
        f"/api/v1/visits/{vid}/intake",
        json={"pain": {"sites": ["foot"], "first_mtp": "yes", "onset": "sudden"}},
        headers=csrf,
    )
    assert r.status_code == 200
    upload_demo(client, csrf, vid)
    assert wait_done(client, vid)["status"] == "done"
    page = client.get(f"/visits/{vid}").text
    table = page[
        page.index('id="spatiotemporal"') : page.index(
            "</table>", page.index('id="spatiotemporal"')
        )
    ]
    for label in ("Walking speed", "Cadence", "Stride length", "Normal (mean ± SD)"):
        assert label in table
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", table)  # no parameter keys
    assert re.search(r"\d\.\d+ ± \d\.\d+", table)  # normal values
    # the decision first: the clinical panel before the uploads and the curves
    assert page.index('id="clinical"') < page.index('id="upload"') < page.index('id="gait"')
    clinical = page[
        page.index('id="clinical"') : page.index("</section>", page.index('id="clinical"'))
    ]
    assert "if_needed" not in clinical and "same_day" not in clinical.replace(
        'data-urgency="same_day"', ""
    ).replace("u-same_day", "")
    assert not re.search(r"\((?:red_flag|nice|screen)_[a-z0-9_]+\)", clinical)


def test_red_flags_and_referral_said_once(client: TestClient, csrf: dict[str, str]) -> None:
    vid = new_visit(client, csrf, new_patient(client, csrf))
    r = client.put(
        f"/api/v1/visits/{vid}/intake",
        json={"pain": {"sites": ["knee"]}, "exam": {"large_effusion": "yes"}},
        headers=csrf,
    )
    assert r.status_code == 200
    page = client.get(f"/visits/{vid}").text
    clinical = page[
        page.index('id="clinical"') : page.index("</section>", page.index('id="clinical"'))
    ]
    flags = clinical[
        clinical.index('class="flags"') : clinical.index("</ul>", clinical.index('class="flags"'))
    ]
    assert "A serious knee problem" in flags and "haemarthrosis" in flags
    assert "[emergency]" not in flags and "RED FLAG" not in flags
    assert flags.count("acute large effusion or haemarthrosis") == 1
    referral = clinical[clinical.index("<strong>Referral:</strong>") :].split("</p>")[0]
    assert referral.count("Emergency department now") == 1
