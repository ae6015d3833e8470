"""End to end in headless Chromium (Debian's /usr/bin/chromium, nothing downloaded): sign in,
create a patient, upload the real demo trial, fill the intake and see the report with findings,
curves and urgency.

``KINCHAIN_SCREENSHOT=docs/img/web-report.png`` also saves a screenshot of the report page.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from kinchain.store import Store
from kinchain.web.app import create_app
from kinchain.web.security import create_user
from kinchain.web.settings import Settings

from .conftest import DEMO, EMAIL, PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    store = Store.open(tmp_path / "data")
    with store.session() as db:
        create_user(db, EMAIL, PASSWORD)
    port = _free_port()
    # The patient's link is built from the listening host and port (never the Host header).
    app = create_app(Settings(data_dir=tmp_path / "data", port=port), store=store)
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    t0 = time.monotonic()
    while not srv.started:
        assert time.monotonic() - t0 < 20, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=20)
    store.dispose()


def _csp_violations(page: Any) -> list[str]:
    """Console messages of the Content-Security-Policy refusing something on ``page`` (and the
    page's own script errors): every page must work under the policy."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    return seen


def test_clinician_journey(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1300})
        page.set_default_timeout(30_000)
        refused = _csp_violations(page)
        # sign in (the patient list redirects to the sign-in page)
        page.goto(server + "/patients")
        expect(page).to_have_url(f"{server}/login?next=/patients")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Patients")
        # create a patient
        page.fill("input[name=name]", "Erika Mustermann")
        page.fill("input[name=identifier]", "MRN-0042")
        page.click("text=Create patient")
        expect(page.locator("h1")).to_have_text("Erika Mustermann")
        # new visit with the real trial
        page.fill("input[name=label]", "baseline walk")
        page.set_input_files("input[name=trial]", str(DEMO))
        page.fill("input[name=marker_diameter_mm]", "14")  # a trial option, as on the CLI
        page.click("text=Create visit")
        expect(page.locator("#progress, #gait")).to_be_visible()
        expect(page.locator("#gait")).to_be_visible(timeout=120_000)  # the page reloads itself
        expect(page.locator("#input-marker-diameter")).to_have_text("14 mm")
        expect(page.locator("#curves .plot").first).to_be_visible()
        # the intake, with the terminal's skip logic and messages next to the field
        page.click("text=Fill the intake")
        mechanism = page.locator('.q[data-path="trauma.mechanism"]')
        expect(mechanism).to_be_hidden()
        page.check('input[name="pain.sites"][value="knee"]')
        page.select_option('select[name="trauma.injury"]', "yes")
        expect(mechanism).to_be_visible()
        page.fill('input[name="demographics.age_years"]', "forty")
        page.locator('input[name="demographics.age_years"]').blur()
        page.select_option('select[name="pain.side"]', "left")
        expect(page.locator('[data-error-for="demographics.age_years"]')).to_have_text(
            "give a number"
        )
        page.fill('input[name="demographics.age_years"]', "47")
        page.select_option('select[name="pain.onset"]', "gradual")
        expect(page.locator('[data-error-for="demographics.age_years"]')).to_have_text("")
        page.select_option('select[name="trauma.bore_weight_immediately"]', "yes")
        page.select_option('select[name="function.bears_weight_4_steps"]', "yes")
        page.click("text=Save the answers")
        # the combined report: urgency, referral, findings, curves, the full report
        expect(page.locator("#urgency")).to_be_visible()
        expect(page.locator("#urgency")).to_contain_text("Urgency:")
        expect(page.locator("#clinical")).to_contain_text("Referral:")
        expect(page.locator("#findings")).to_be_visible()
        # the report is rendered again with the intake: the page reloads itself when it is done
        expect(page.locator("#progress")).to_have_count(0, timeout=120_000)
        expect(page.locator("#report-frame")).to_be_visible(timeout=120_000)
        expect(page.locator("#curves .plot").first).to_be_visible()
        frame = page.frame_locator("#report-frame")
        expect(frame.locator("body")).to_contain_text("Urgency", ignore_case=True)
        # the API reference page (signed in; no external script)
        page.goto(server + "/api/v1/docs")
        expect(page.locator("h1")).to_contain_text("API")
        assert refused == [], refused
        shot = os.environ.get("KINCHAIN_SCREENSHOT")
        if shot:
            page.wait_for_timeout(500)
            page.screenshot(path=shot, full_page=False, type="png")
        browser.close()


def test_patient_link_asks_what_would_change_first(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The patient's form adds the questions that could make it more urgent at its top as soon as
    the answers allow an assessment, keeps them once answered, and saves their answers."""
    from playwright.sync_api import expect, sync_playwright

    from kinchain.cli import assess as assess_cli
    from kinchain.web.intake_form import CHANGES_NOTE

    from .test_what_would_change import IV_DRUGS, WARMTH, engine_asking

    monkeypatch.setattr(assess_cli, "assess", engine_asking(WARMTH, IV_DRUGS))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        clinician = browser.new_context()
        api = clinician.request
        token = api.post(
            server + "/api/v1/auth/login", data={"email": EMAIL, "password": PASSWORD}
        ).json()["csrf_token"]
        head = {"X-CSRF-Token": token}
        pid = api.post(server + "/api/v1/patients", data={"name": "P"}, headers=head).json()["id"]
        vid = api.post(
            f"{server}/api/v1/patients/{pid}/visits", data={"label": ""}, headers=head
        ).json()["id"]
        url = api.post(f"{server}/api/v1/visits/{vid}/intake-link", headers=head).json()["url"]
        page = browser.new_context(viewport={"width": 1000, "height": 1300}).new_page()
        page.set_default_timeout(30_000)
        refused = _csp_violations(page)
        assert url.startswith(server + "/intake/t/")
        page.goto(url)
        changes = page.locator("#changes")
        expect(changes).to_be_hidden()
        page.check('input[name="pain.sites"][value="knee"]')
        expect(changes).to_be_visible()
        expect(changes).to_contain_text(CHANGES_NOTE)
        expect(changes).to_contain_text("Have you ever injected drugs")
        expect(changes).to_contain_text("Is the joint warm or hot")
        expect(changes.locator(".q")).to_have_count(2)
        page.select_option('select[name="history.iv_drug_use"]', "no")
        page.fill('input[name="pain.duration_value"]', "3")
        page.select_option('select[name="pain.duration_unit"]', "weeks")
        page.wait_for_timeout(600)  # the state request after the change
        expect(changes.locator(".q")).to_have_count(2)  # answered: still asked
        expect(page.locator('select[name="history.iv_drug_use"]')).to_have_value("no")
        shot = os.environ.get("KINCHAIN_INTAKE_SCREENSHOT")
        if shot:
            page.screenshot(path=shot, full_page=False, type="png")
        page.click("text=Save the answers")
        expect(page.locator("h1")).to_have_text("Thank you")
        assert refused == [], refused
        visit = api.get(f"{server}/api/v1/visits/{vid}").json()
        assert visit["intake"]["history"]["iv_drug_use"] == "no"
        assert visit["intake"]["pain"]["duration_unit"] == "weeks"
        browser.close()


def test_administrator_journey(server: str) -> None:
    """The administrator creates an account (the temporary password shown once), chooses that
    each clinician sees only their own patients; the new clinician must choose a password before
    anything else, then sees an empty patient list. Every page works under the CSP."""
    import re

    from playwright.sync_api import expect, sync_playwright

    shots = os.environ.get("KINCHAIN_SCREENSHOT_DIR")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        refused = _csp_violations(page)
        page.goto(server + "/login")
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("nav >> text=Accounts")
        expect(page.locator("h1")).to_have_text("Accounts")
        page.fill("form[action='/admin/users'] input[name=email]", "new.physio@example.org")
        page.click("text=Create")
        shown = page.locator("#temporary-password code")
        expect(shown).to_be_visible()
        temporary = shown.inner_text()
        assert re.fullmatch(r"[\w-]{16}", temporary), temporary
        page.check("input[name=patient_access][value=own]")
        page.click("#patient-access >> text=Save")
        expect(page.locator(".notice")).to_contain_text("Each clinician sees the patients")
        expect(page.locator("#accounts")).to_contain_text("temporary password")
        if shots:
            page.screenshot(path=f"{shots}/web-accounts.png", full_page=True, type="png")

        other = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        refused += _csp_violations(other)
        other.goto(server + "/login")
        other.fill("input[name=email]", "new.physio@example.org")
        other.fill("input[name=password]", temporary)
        other.click("button[type=submit]")
        expect(other).to_have_url(f"{server}/account/password")
        expect(other.locator(".notice")).to_contain_text("temporary password")
        other.fill("input[name=current_password]", temporary)
        other.fill("input[name=new_password]", "my own long password")
        other.fill("input[name=repeat_password]", "my own long password")
        if shots:
            other.screenshot(path=f"{shots}/web-password.png", full_page=True, type="png")
        other.click("text=Change the password")
        expect(other.locator("h1")).to_have_text("Patients")
        expect(other.locator("nav")).not_to_contain_text("Accounts")
        other.goto(server + "/admin")
        expect(other.locator("body")).to_contain_text("only an administrator")
        assert refused == [], refused
        browser.close()
