"""In headless Chromium: the patient's intake link on a phone (390 x 844: no horizontal scroll,
every control reachable, progress through the form, the pain rating, the confirmation page), the
clinician's QR code and copy button, the Questionnaires page and the scores over two visits.

``KINCHAIN_SCREENSHOT_DIR=docs/img`` also saves intake-phone.png, questionnaires.png and
outcomes-over-time.png there.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .conftest import EMAIL, PASSWORD
from .test_e2e import ARGS, CHROMIUM, _csp_violations, server

__all__ = ["server"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
)

PHONE: Any = {"width": 390, "height": 844}  # a phone (CSS pixels)


def _overflow(page: Any) -> int:
    """How far the page scrolls sideways, in CSS pixels (0: no horizontal scroll)."""
    width: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return width


def _unreachable(page: Any) -> list[str]:
    """Visible form controls that do not lie fully inside the viewport's width."""
    out: list[str] = page.evaluate(
        """() => {
          const bad = [];
          const w = document.documentElement.clientWidth;
          for (const el of document.querySelectorAll('input, select, button, textarea, a')) {
            if (el.type === 'hidden' || el.closest('[hidden]')) continue;
            const r = el.getBoundingClientRect();
            // radio buttons of the pain scale are drawn by their label
            const box = el.type === 'radio' ? el.parentElement.getBoundingClientRect() : r;
            if (box.width === 0 && el.type !== 'radio') continue;
            if (box.left < 0 || box.right > w + 0.5) bad.push((el.name || el.textContent).trim());
          }
          return bad;
        }"""
    )
    return out


def _sign_in(api: Any, server: str) -> dict[str, str]:
    token = api.post(
        server + "/api/v1/auth/login", data={"email": EMAIL, "password": PASSWORD}
    ).json()["csrf_token"]
    return {"X-CSRF-Token": token}


def test_patient_link_on_a_phone(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = os.environ.get("KINCHAIN_SCREENSHOT_DIR")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        clinician = browser.new_context(viewport={"width": 1280, "height": 1000})
        clinician.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        head = _sign_in(clinician.request, server)
        api = clinician.request
        pid = api.post(server + "/api/v1/patients", data={"name": "Pat Phone"}, headers=head)
        vid = api.post(
            f"{server}/api/v1/patients/{pid.json()['id']}/visits", data={}, headers=head
        ).json()["id"]
        # The clinician creates the link on the visit page: a QR code and a copy button.
        desk = clinician.new_page()
        desk.set_default_timeout(30_000)
        refused = _csp_violations(desk)
        desk.goto(f"{server}/visits/{vid}")
        desk.click("text=Create a patient intake link")
        share = desk.locator("#intake-link")
        expect(share.locator("svg.qr")).to_be_visible()
        url = desk.locator("#intake-link-url").input_value()
        assert url.startswith(server + "/intake/t/")
        desk.click("button[data-copy]")
        expect(desk.locator("#copy-done")).to_be_visible()
        assert desk.evaluate("() => navigator.clipboard.readText()") == url

        phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.set_default_timeout(30_000)
        refused += _csp_violations(phone)
        phone.goto(url)
        expect(phone.locator("section.group h2").first).to_have_text("About you")
        progress = phone.locator("#progress-text")
        before = progress.inner_text()
        assert before.startswith("0 of "), before
        assert _overflow(phone) == 0
        assert _unreachable(phone) == []
        phone.check('input[name="pain.sites"][value="knee"]')
        phone.select_option('select[name="pain.side"]', "left")
        phone.fill('input[name="pain.duration_value"]', "3")
        phone.select_option('select[name="pain.duration_unit"]', "weeks")
        phone.select_option('select[name="pain.onset"]', "gradual")
        expect(phone.locator("form[data-state-ready]")).to_have_count(1)
        phone.wait_for_timeout(400)
        assert not progress.inner_text().startswith("0 of "), progress.inner_text()
        # The plain words and choice labels of the patient's link.
        expect(phone.locator('select[name="pain.onset"] option[value="gradual"]')).to_have_text(
            "slowly"
        )
        phone.locator("#pain-rating label.point").nth(6).click()
        assert _overflow(phone) == 0
        assert _unreachable(phone) == []
        if shots:
            phone.screenshot(path=f"{shots}/intake-phone.png", full_page=False, type="png")
        phone.click("text=Save the answers")
        expect(phone.locator("h1")).to_have_text("Thank you")
        expect(phone.locator("#next-steps")).to_contain_text("What happens next")
        expect(phone.locator("#next-steps")).to_contain_text("pain score of 6 out of 10")
        assert _overflow(phone) == 0
        assert refused == [], refused
        (nprs,) = api.get(f"{server}/api/v1/visits/{vid}/questionnaires").json()["questionnaires"]
        assert nprs["source"] == "patient" and nprs["subscales"][0]["score"] == 6
        browser.close()


def test_questionnaires_and_scores_over_time(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = os.environ.get("KINCHAIN_SCREENSHOT_DIR")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        head = _sign_in(context.request, server)
        api = context.request
        pid = api.post(server + "/api/v1/patients", data={"name": "Kim Knee"}, headers=head).json()[
            "id"
        ]
        first = api.post(
            f"{server}/api/v1/patients/{pid}/visits",
            data={"label": "baseline", "visit_date": "2026-10-01"},
            headers=head,
        ).json()["id"]
        second = api.post(
            f"{server}/api/v1/patients/{pid}/visits",
            data={"label": "6 weeks", "visit_date": "2026-11-12"},
            headers=head,
        ).json()["id"]
        baseline = {"nprs": {"pain": 7}, "lefs": {f"LEFS{k}": 2 for k in range(1, 21)}}
        for inst, answers in baseline.items():
            r = api.post(
                f"{server}/api/v1/visits/{first}/questionnaires",
                data={"instrument": inst, "answers": answers},
                headers=head,
            )
            assert r.status == 201, r.text()
        page = context.new_page()
        page.set_default_timeout(30_000)
        refused = _csp_violations(page)
        # The clinician enters the second visit's scores on the Questionnaires page.
        page.goto(f"{server}/visits/{second}")
        page.click(".actions >> text=Questionnaires")
        expect(page.locator("h1")).to_have_text("Questionnaires")
        page.select_option('select[name="nprs.pain"]', "3")
        for k in range(1, 21):
            page.select_option(f'select[name="lefs.LEFS{k}"]', "3" if k <= 14 else "2")
        for k in (1, 2, 3, 4, 5, 6):  # KOOS Pain: 6 of 9 answered (valid), Symptoms: 2 of 7
            page.select_option(f'select[name="koos.P{k}"]', "1")
        for k in (1, 2):
            page.select_option(f'select[name="koos.S{k}"]', "2")
        page.click("text=Save the questionnaires")
        expect(page.locator("h1")).to_contain_text("Visit of")
        outcomes = page.locator("#outcomes")
        expect(outcomes).to_contain_text("2 of 7 items answered; at least 4 needed")
        expect(outcomes).to_contain_text("Lower Extremity Functional Scale")
        page.click(".actions >> text=Questionnaires")
        if shots:
            page.screenshot(path=f"{shots}/questionnaires.png", full_page=False, type="png")
        # The patient page: each score over the two visits with the change classified.
        page.goto(f"{server}/patients/{pid}")
        section = page.locator("#outcomes-over-time")
        # NPRS, LEFS and KOOS Pain: the KOOS subscales never scored are not plotted
        expect(section.locator("svg.outcome-plot")).to_have_count(3)
        nprs = section.locator("#series-nprs-pain")
        expect(nprs).to_contain_text("improved")  # 7 -> 3: 4 points >= 2
        lefs = section.locator("#series-lefs-total")
        expect(lefs).to_contain_text("improved")  # 40 -> 54: 14 >= 9
        assert _overflow(page) == 0
        if shots:
            section.scroll_into_view_if_needed()
            page.screenshot(path=f"{shots}/outcomes-over-time.png", full_page=False, type="png")
        assert refused == [], refused
        browser.close()
