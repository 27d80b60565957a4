"""Drive the web form in headless Chromium against a real server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.model]

ARTICLE = (
    "Guvernul a anunțat un nou pachet de măsuri\n"
    "\n"
    "Ministrul a declarat că bugetul pentru 2026 va crește cu 3,5%. "
    "Peste 15.000 de oameni au protestat.\n"
    "\n"
    "„Nu vom accepta această decizie”, a spus liderul sindicatului. Ministerul a confirmat.\n"
)
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tiny_marian):
    import urllib.request

    import uvicorn

    from service.http.app import create_app
    from service.settings import Settings

    port = _free_port()
    app = create_app(Settings(_env_file=None, translation_model=str(tiny_marian), beam_size=1))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health/ready", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        pytest.fail("server never became ready")
    yield base
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def test_paste_submit_see_translation_and_digest(server, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/")
    assert page.title().startswith("roen")
    page.get_by_label("Romanian text").fill(ARTICLE)  # the label is wired to the textarea
    page.get_by_role("button", name="Translate").click()
    page.locator("#headline").wait_for(timeout=60_000)
    assert page.url == server + "/"  # no reload: the script swapped the result in
    rows = page.locator("#side-by-side tbody tr")
    assert rows.count() == 3  # one row per paragraph
    assert "15.000" in rows.nth(1).locator("td").first.inner_text()
    assert page.locator("#summary li").count() >= 1
    assert page.locator("#progress").is_hidden()
    assert page.locator("button.copy").first.is_visible()  # shown only with JS
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-form.png"), full_page=True)
    assert not errors, errors  # no CSP violations or script errors


def test_form_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Romanian text").fill(ARTICLE)
    page.get_by_role("button", name="Translate").click()
    page.locator("#headline").wait_for(timeout=60_000)
    assert page.locator("#side-by-side tbody tr").count() == 3
    assert page.locator("button.copy").first.is_hidden()  # copy needs JS: not offered
    assert page.get_by_label("Romanian text").input_value().startswith("Guvernul")  # kept
    context.close()


def test_keyboard_only(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.get_by_label("Romanian text").focus()
    page.keyboard.type("Bună ziua. Ce mai faceți?")
    for _ in range(3):  # textarea → file → select → button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "submit"
    page.keyboard.press("Enter")
    page.locator("#headline").wait_for(timeout=60_000)
