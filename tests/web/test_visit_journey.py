"""A whole clinic visit in headless Chromium (issue 12, "Done when"): a clinician at a desktop
and a patient on a phone (390 x 844 CSS pixels).

1. the clinician signs in, creates a patient (name, birth date, identifier, sex) and a visit with
   the demo trial, and waits for the analysis;
2. the clinician creates the patient's intake link; the patient opens it on a phone, answers
   (with the 0-10 pain rating) and sees the confirmation page;
3. the clinician answers two questions differently on the intake form and fills the examination
   section; the visit shows both answers to reconcile and both versions in the intake history;
   the clinician reconciles one of them;
4. the clinician enters every KOOS, FAAM and LEFS item on the Questionnaires page; the visit
   shows the scores the scoring core computes for those answers;
5. the report (HTML in the page, PDF), the patient summary (page and PDF) and the referral letter
   (PDF) carry the patient's name, birth date, identifier and visit and "page N of M" on every
   page;
6. a second visit with changed pain and LEFS answers and the trial uploaded again: the patient
   page shows the scores over time, the compare page the two visits.

``KINCHAIN_SCREENSHOTS=DIR`` also saves a screenshot of each page visited as
``DIR/journey-NN-<page>.png`` (the clinician's pages full page at 1280 CSS pixels wide, the
patient's at phone size).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from kinchain.clinical.outcomes import INSTRUMENTS

from .conftest import DEMO, EMAIL, PASSWORD
from .test_e2e import ARGS, CHROMIUM, _csp_violations, server
from .test_outcomes_browser import _overflow

__all__ = ["server"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
)

DESKTOP: Any = {"width": 1280, "height": 900}
PHONE: Any = {"width": 390, "height": 844}  # a phone (CSS pixels)
NAME = "Erika Mustermann"
BORN = "1979-03-14"
MRN = "MRN-0042"
ANALYSIS_MS = 150_000  # ms: one analysis of the demo trial on a busy 2-core machine


def _answers(instrument: str) -> dict[str, int]:
    """Every item of ``instrument`` answered with a valid value (a repeating pattern through the
    item's range)."""
    return {
        it.id: it.minimum + k % (it.maximum - it.minimum + 1)
        for k, it in enumerate(INSTRUMENTS[instrument].items)
    }


def _score_text(value: float) -> str:
    """A score as the pages print it: one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _expected_scores(instrument: str, answers: Mapping[str, int]) -> dict[str, str]:
    """Subscale label -> score text that the scoring core gives for ``answers``."""
    inst = INSTRUMENTS[instrument]
    out: dict[str, str] = {}
    for sid, s in inst.score(answers).subscales.items():
        assert s.valid and s.score is not None, (instrument, sid, s.reason)
        out[inst.subscale(sid).label] = _score_text(s.score)
    return out


def _shown_scores(page: Any, instrument: str) -> dict[str, str]:
    """Subscale label -> score text in the visit page's outcome table of ``instrument``."""
    rows = page.locator(f"#outcome-{instrument} + div table tbody tr")
    shown: dict[str, str] = {}
    for k in range(rows.count()):
        cells = rows.nth(k).locator("td")
        shown[cells.nth(0).inner_text().strip()] = cells.nth(1).inner_text().strip()
    return shown


def _pdf_pages(api: Any, url: str) -> list[str]:
    """The text of each page of the PDF at ``url`` (fetched with the clinician's session)."""
    from pypdf import PdfReader

    r = api.get(url)
    assert r.status == 200, (url, r.status, r.text()[:300])
    assert r.headers["content-type"].startswith("application/pdf"), r.headers
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(r.body())).pages]


def _shooter(directory: str | None) -> Callable[..., None]:
    """``shoot(page, name, full_page=True)`` saves ``directory/journey-NN-name.png`` at the page's
    own viewport width, or does nothing without a directory."""
    count = [0]

    def shoot(page: Any, name: str, full_page: bool = True) -> None:
        if not directory:
            return
        count[0] += 1
        page.wait_for_timeout(300)  # plots and fonts settle
        path = Path(directory) / f"journey-{count[0]:02d}-{name}.png"
        png = page.screenshot(full_page=full_page, type="png")
        # 256 colours without dithering: the pages' flat colours stay exact, a third of the size
        from PIL import Image

        with Image.open(io.BytesIO(png)) as shot:
            flat = shot.convert("RGB").quantize(
                256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
            flat.save(path, optimize=True)

    return shoot


def _wait_for_report(page: Any) -> None:
    """Wait until the visit page shows the analysis and the report (it reloads itself while the
    analysis or the report runs)."""
    from playwright.sync_api import expect

    expect(page.locator("#progress")).to_have_count(0, timeout=ANALYSIS_MS)
    expect(page.locator("#gait")).to_be_visible(timeout=ANALYSIS_MS)
    expect(page.locator("#report-frame")).to_be_visible(timeout=ANALYSIS_MS)


def _wait_for_gait(page: Any) -> None:
    """Wait until the visit page shows the gait analysis (it reloads itself meanwhile)."""
    from playwright.sync_api import expect

    expect(page.locator("#progress")).to_have_count(0, timeout=ANALYSIS_MS)
    expect(page.locator("#gait")).to_be_visible(timeout=ANALYSIS_MS)


def test_a_clinic_visit_from_sign_in_to_the_second_visit(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    shoot = _shooter(os.environ.get("KINCHAIN_SCREENSHOTS"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        desk = browser.new_context(viewport=DESKTOP)
        page = desk.new_page()
        page.set_default_timeout(30_000)
        refused = _csp_violations(page)

        # 1. sign in, create the patient and the first visit with the demo trial
        page.goto(server + "/patients")
        expect(page).to_have_url(f"{server}/login?next=/patients")
        shoot(page, "sign-in")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")
        page.fill("input[name=name]", NAME)
        page.fill("input[name=birth_date]", BORN)
        page.fill("input[name=identifier]", MRN)
        page.select_option("select[name=sex]", "female")
        shoot(page, "patients")
        page.click("text=Create patient")
        expect(page.locator("h1")).to_have_text(NAME)
        expect(page.locator("main, body").first).to_contain_text(f"{MRN} · born {BORN} · female")
        patient_url = page.url
        page.fill("input[name=visit_date]", "2026-10-01")
        page.fill("input[name=label]", "baseline")
        page.set_input_files("input[name=trial]", str(DEMO))
        shoot(page, "new-patient")
        page.click("text=Create visit")
        expect(page.locator("h1")).to_have_text("Visit of 2026-10-01 — baseline")
        visit_url = page.url
        first = int(visit_url.rstrip("/").rsplit("/", 1)[1])
        expect(page.locator("#gait")).to_be_visible(timeout=ANALYSIS_MS)
        expect(page.locator("#identity")).to_have_text(f"{NAME} · born {BORN} · ID {MRN}")
        expect(page.locator("#curves .plot").first).to_be_visible()

        # 2. the patient's link, answered on a phone
        page.click("text=Create a patient intake link")
        expect(page.locator("#intake-link svg.qr")).to_be_visible()
        link = page.locator("#intake-link-url").input_value()
        assert link.startswith(server + "/intake/t/"), link
        shoot(page, "visit-analysed")
        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.set_default_timeout(30_000)
        refused += _csp_violations(phone)
        phone.goto(link)
        expect(phone.locator("section.group h2").first).to_have_text("About you")
        shoot(phone, "patient-intake-phone", full_page=False)  # the patient's pages: phone size
        patient_says = {
            "demographics.sex": "female",
            "pain.side": "left",
            "pain.onset": "gradual",
            "trauma.injury": "no",
            "signs.swelling": "yes",
            "signs.warmth": "no",
            "signs.fever": "no",
        }
        phone.check('input[name="pain.sites"][value="knee"]')
        phone.fill('input[name="demographics.age_years"]', "47")
        phone.fill('input[name="pain.duration_value"]', "3")
        phone.select_option('select[name="pain.duration_unit"]', "weeks")
        for name, value in patient_says.items():
            phone.select_option(f'select[name="{name}"]', value)
        phone.locator("#pain-rating label.point").nth(6).click()
        expect(phone.locator("form[data-state-ready]")).to_have_count(1)
        phone.wait_for_timeout(400)  # the state request after the last change
        assert not phone.locator("#progress-text").inner_text().startswith("0 of ")
        assert _overflow(phone) == 0  # no sideways scrolling on the phone
        phone.locator("#pain-rating").scroll_into_view_if_needed()
        shoot(phone, "patient-pain-rating-phone", full_page=False)
        phone.click("text=Save the answers")
        expect(phone.locator("h1")).to_have_text("Thank you")
        expect(phone.locator("#next-steps")).to_contain_text("What happens next")
        expect(phone.locator("#next-steps")).to_contain_text("pain score of 6 out of 10")
        assert _overflow(phone) == 0
        shoot(phone, "patient-thank-you-phone", full_page=False)
        phone.context.close()

        # 3. the clinician's answers differ on two questions; the examination section
        page.goto(visit_url)
        # the patient's answers queued the report again: the page reloads itself when it is
        # done, which would cancel a click made meanwhile
        _wait_for_report(page)
        expect(page.locator("#intake-history")).to_contain_text("Intake history (1 version)")
        page.click(".actions >> text=Edit intake")
        page.wait_for_url("**/intake")
        expect(page.locator("#exam")).to_be_visible()
        # the patient's answers are on the form
        expect(page.locator('select[name="signs.swelling"]')).to_have_value("yes")
        page.select_option('select[name="pain.onset"]', "sudden")  # differs from the patient
        page.select_option('select[name="signs.warmth"]', "yes")  # differs from the patient
        exam = {
            "exam.straight_leg_raise_positive": "no",
            "exam.large_effusion": "yes",
            "exam.tender_deep_veins": "no",
            "exam.entire_leg_swollen": "no",
        }
        for name, value in exam.items():
            # the examination stays visible after other answers change (it used to be hidden
            # by the form's script after the first change)
            field = page.locator(f'select[name="{name}"]')
            expect(field).to_be_visible()
            field.select_option(value)
        shoot(page, "clinician-intake")
        page.click("text=Save the answers")
        expect(page.locator("h1")).to_contain_text("Visit of")
        saved = desk.request.get(f"{server}/api/v1/visits/{first}").json()["intake"]
        assert saved["exam"] == {k.removeprefix("exam."): v for k, v in exam.items()}, saved
        # the large effusion found on examination is a knee red flag: emergency
        urgency = page.locator("#urgency")
        expect(urgency).to_have_attribute("data-urgency", "emergency")
        expect(urgency).to_contain_text("Urgency: Emergency")
        expect(page.locator("#clinical")).to_contain_text("effusion")
        differences = page.locator("#intake-differences tbody tr")
        expect(differences).to_have_count(2)
        expect(page.locator("#intake-differences")).to_contain_text("Onset")
        expect(page.locator("#intake-differences")).to_contain_text("Is the joint warm or hot")
        history = page.locator("#intake-history")
        expect(history).to_contain_text("Intake history (2 versions)")
        page.click("#intake-history summary")
        expect(history.locator("tbody tr")).to_have_count(2)
        expect(history).to_contain_text("patient, through the link")
        expect(history).to_contain_text(f"clinician ({EMAIL})")
        shoot(page, "answers-to-reconcile")
        # the clinician takes the patient's onset: one difference left, three versions kept
        _wait_for_report(page)  # (the page reloads itself when the report is made again)
        page.click(".actions >> text=Edit intake")
        page.select_option('select[name="pain.onset"]', "gradual")
        page.click("text=Save the answers")
        expect(page.locator("h1")).to_contain_text("Visit of")
        expect(differences).to_have_count(1)
        expect(differences).to_contain_text("Is the joint warm or hot")
        expect(differences).to_contain_text("(clinician's)")
        expect(history).to_contain_text("Intake history (3 versions)")

        # 4. KOOS, FAAM and LEFS: every item on the Questionnaires page
        _wait_for_report(page)
        page.click(".actions >> text=Questionnaires")
        expect(page.locator("h1")).to_have_text("Questionnaires")
        entered = {inst: _answers(inst) for inst in ("koos", "faam", "lefs")}
        for inst, answers in entered.items():
            for item, score in answers.items():
                page.select_option(f'select[name="{inst}.{item}"]', str(score))
        shoot(page, "questionnaires")
        page.click("text=Save the questionnaires")
        expect(page.locator("h1")).to_contain_text("Visit of")
        _wait_for_report(page)  # the scores re-make the report; the page reloads when it is done
        for inst, answers in entered.items():
            assert _shown_scores(page, inst) == _expected_scores(inst, answers), inst
        assert _shown_scores(page, "nprs") == _expected_scores("nprs", {"pain": 6})

        # 5. the report, the patient summary and the referral letter, the name on every page
        _wait_for_report(page)
        report = page.frame_locator("#report-frame")
        expect(report.locator("body")).to_contain_text(NAME)
        expect(report.locator("body")).to_contain_text("Urgency", ignore_case=True)
        # the uploaded file under its own name, not the server's temporary copy
        expect(report.locator("dd", has_text=".c3d").first).to_have_text(DEMO.name)
        shoot(page, "visit-report")
        api = desk.request
        documents = {
            "report": page.locator(".actions >> text=PDF report").get_attribute("href"),
            "referral": page.locator(".actions >> text=Referral letter").get_attribute("href"),
        }
        page.click(".actions >> text=Patient summary")
        expect(page.locator("body")).to_contain_text(NAME)
        shoot(page, "patient-summary")
        documents["patient summary"] = page.locator(
            "a", has_text="Download the PDF to print"
        ).get_attribute("href")
        for what, href in documents.items():
            assert href, what
            pages = _pdf_pages(api, server + href)
            assert pages, what
            for k, text in enumerate(pages, 1):
                flat = " ".join(text.split())
                where = f"{what}: page {k} of {len(pages)}"
                assert f"{NAME} · born {BORN} · ID {MRN}" in flat, f"{where} lacks the identity"
                assert "visit 2026-10-01 baseline" in flat, f"{where} lacks the visit"
                assert f"page {k} of {len(pages)}" in flat, f"{where} is not numbered"

        # 6. the second visit: pain and LEFS changed, the trial again; scores over time; compare
        page.goto(patient_url)
        page.fill("input[name=visit_date]", "2026-11-12")
        page.fill("input[name=label]", "6 weeks")
        page.set_input_files("input[name=trial]", str(DEMO))
        page.click("text=Create visit")
        expect(page.locator("h1")).to_have_text("Visit of 2026-11-12 — 6 weeks")
        second = int(page.url.rstrip("/").rsplit("/", 1)[1])
        _wait_for_report(page)
        page.click(".actions >> text=Questionnaires")
        # every LEFS item one step better (the highest stays): a change of the total
        later = {
            "lefs": {
                item: min(value + 1, INSTRUMENTS["lefs"].items[k].maximum)
                for k, (item, value) in enumerate(entered["lefs"].items())
            },
            "nprs": {"pain": 3},
        }
        page.select_option('select[name="nprs.pain"]', "3")
        for item, score in later["lefs"].items():
            page.select_option(f'select[name="lefs.{item}"]', str(score))
        page.click("text=Save the questionnaires")
        expect(page.locator("h1")).to_contain_text("Visit of")
        _wait_for_gait(page)
        assert _shown_scores(page, "lefs") == _expected_scores("lefs", later["lefs"])
        shoot(page, "second-visit")
        page.goto(patient_url)
        series = page.locator("#outcomes-over-time")
        expect(series).to_be_visible()
        lefs = series.locator("#series-lefs-total")
        expect(lefs.locator("tbody tr")).to_have_count(2)
        before = _expected_scores("lefs", entered["lefs"])
        after = _expected_scores("lefs", later["lefs"])
        ((label, b),) = before.items()
        assert before != after
        expect(lefs.locator("tbody tr").nth(0)).to_contain_text(b)
        expect(lefs.locator("tbody tr").nth(1)).to_contain_text(after[label])
        expect(lefs).to_contain_text("improved")  # 40 -> 56: 16 points >= the MCID of 9
        nprs = series.locator("#series-nprs-pain")
        expect(nprs).to_contain_text("improved")  # 6 -> 3: 3 points >= the MCID of 2
        shoot(page, "scores-over-time")
        page.select_option("select[name=a]", str(first))
        page.select_option("select[name=b]", str(second))
        page.click("text=Compare visits")
        expect(page.locator("h1")).to_have_text(
            "Visit 2026-10-01 baseline (A) against 2026-11-12 6 weeks (B)"
        )
        expect(page.locator(".crumbs")).to_contain_text(NAME)
        expect(page.locator("#st-changes tbody tr").first).to_be_visible()
        lefs_change = page.locator("#outcome-changes tr", has_text="Lower Extremity")
        expect(lefs_change.locator("td").nth(2)).to_have_text(b)
        expect(lefs_change.locator("td").nth(3)).to_have_text(after[label])
        pain_change = page.locator("#outcome-changes tr", has_text="Numeric pain")
        expect(pain_change.locator("td").nth(2)).to_have_text("6")
        expect(pain_change.locator("td").nth(3)).to_have_text("3")
        shoot(page, "compare")
        assert re.search(r"/patients/\d+/compare\?a=\d+&b=\d+", page.url), page.url
        assert refused == [], refused
        browser.close()
