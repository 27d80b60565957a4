"""Drive the web form in headless Chromium against a real server on loopback."""

from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.fakes import SlowEcho

pytestmark = [pytest.mark.browser, pytest.mark.model]

ARTICLE = (
    "Guvernul a anunțat un nou pachet de măsuri\n"
    "\n"
    "Ministrul a declarat că bugetul pentru 2026 va crește cu 3,5%. "
    "Peste 15.000 de oameni au protestat.\n"
    "\n"
    "„Nu vom accepta această decizie”, a spus liderul sindicatului. Ministerul a confirmat.\n"
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app):
    """`app` behind a real uvicorn on a loopback port; yields its base URL once ready."""
    import urllib.request

    import uvicorn

    port = _free_port()
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
def server(tiny_marian):
    """The real path: the tiny checkpoint on the CTranslate2 backend."""
    from service.http.app import create_app
    from service.settings import Settings

    settings = Settings(_env_file=None, translation_model=str(tiny_marian), beam_size=1)
    with serving(create_app(settings)) as base:
        yield base


@pytest.fixture(scope="module")
def fake_server():
    """Echo engines, four sentences a batch: what the page does, at a chosen pace."""
    from service.http.app import create_app
    from service.settings import Settings
    from tests.support.fakes import fake_engines

    settings = Settings(_env_file=None, max_batch_size=4)
    backend = SlowEcho(delay=0.0)  # echo: long words come back as they went
    with serving(create_app(settings, fake_engines(settings, backend))) as base:
        yield base, backend


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
    page.locator("#meta:not(:empty)").wait_for(timeout=60_000)  # the stream's last event
    assert page.url == server + "/"  # no reload: the script filled the result in
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
    focused = []
    for _ in range(3):  # textarea → length → type → button: the file choice hidden with text
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id"))
    assert focused == ["length", "type", "submit"]
    page.keyboard.press("Enter")
    page.locator("#meta:not(:empty)").wait_for(timeout=60_000)
    assert page.evaluate("document.activeElement.id") == "headline"  # focus moved to it


LONG_WORD = "Supercalifragilisticexpialidocious" * 8  # 272 characters, no break
ARTICLE_WITH_LONG_WORDS = (
    f"{LONG_WORD} în titlu\n\n"
    f"Vezi https://example.ro/{'a' * 200}/articol și {LONG_WORD}. "
    "A doua propoziție are un cuvânt obișnuit.\n\n"
    f"Ultimul paragraf: {LONG_WORD}."
)


def overflow(page) -> int:
    """How far the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("javascript", [True, False])
def test_no_sideways_scrolling_with_long_unbroken_words(fake_server, browser, width, javascript):
    base, backend = fake_server
    backend.delay = 0.0
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(base + "/")
    assert overflow(page) <= 0
    page.get_by_label("Romanian text").fill(ARTICLE_WITH_LONG_WORDS)
    page.get_by_role("button", name="Translate").click()
    page.locator("#meta:not(:empty)").wait_for(timeout=30_000)
    assert LONG_WORD in page.locator("#summary").inner_text()  # the long words are there
    assert overflow(page) <= 0, f"{overflow(page)} px too wide at {width} px"
    headline = page.locator("#headline").bounding_box()
    lines = headline["height"] / 26  # 1.25rem at line-height 1.3
    assert lines <= (1 if width > 1000 else 4) + 0.1  # a headline, not a paragraph in big type
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(
        path=str(ARTIFACTS / f"web-form-{width}-js{int(javascript)}.png"), full_page=True
    )
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_controls_and_digest_placement(fake_server, browser, width):
    base, backend = fake_server
    backend.delay = 0.0
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base + "/")
    label = page.locator("label[for=length]").bounding_box()
    select = page.locator("#length").bounding_box()
    # the "Summary" label and its control on one line, side by side
    assert abs(label["y"] + label["height"] / 2 - (select["y"] + select["height"] / 2)) < 12
    assert label["x"] < select["x"]
    page.get_by_label("Romanian text").fill(ARTICLE)
    page.get_by_role("button", name="Translate").click()
    page.locator("#meta:not(:empty)").wait_for(timeout=30_000)
    digest = page.locator("section.digest").bounding_box()
    translation = page.locator("section.translation").bounding_box()
    if width >= 1000:  # beside the translation
        assert digest["x"] > translation["x"] + translation["width"] - 1
        assert abs(digest["y"] - translation["y"]) < 5
    else:  # above it
        assert digest["y"] + digest["height"] <= translation["y"] + 1
    # a warning badge starts where its cell's text starts, on a line of its own
    badge = page.locator(".warn").first
    cell = badge.locator("xpath=..")
    text_left = cell.evaluate(
        "c => { const r = document.createRange(); r.selectNodeContents(c.firstChild);"
        " return r.getBoundingClientRect().left; }"
    )
    assert abs(badge.bounding_box()["x"] - text_left) < 2
    page.close()


def long_article(topic: str) -> str:
    """200 sentences in 20 paragraphs, ~11,000 characters; a new `topic`, new sentences
    (the server's sentence cache would answer ones it has seen at once)."""
    return "\n\n".join(
        " ".join(f"Propoziția {p * 10 + i} despre {topic} are câteva cuvinte." for i in range(10))
        for p in range(20)
    )


def test_progress_bar_moves_and_rows_appear_as_sentences_are_done(fake_server, browser):
    base, backend = fake_server
    backend.delay = 0.03  # 50 batches of 4: ~1.5 s
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + "/")
    page.get_by_label("Romanian text").fill(long_article("progres"))
    # record what the bar and the table show each time the page changes
    page.evaluate(
        """() => { window.seen = [];
        new MutationObserver(() => {
          const bar = document.getElementById('progress-bar');
          window.seen.push([bar.value, bar.max,
            document.querySelectorAll('#side-by-side tbody tr').length,
            document.getElementById('meta') ? document.getElementById('meta').textContent : '']);
        }).observe(document.body, {subtree: true, childList: true, attributes: true,
                                   characterData: true}); }"""
    )
    page.get_by_role("button", name="Translate").click()
    page.locator("#meta:not(:empty)").wait_for(timeout=30_000)
    seen = page.evaluate("window.seen")
    during = [(v, m, rows) for v, m, rows, meta in seen if not meta and m == 200]
    values = sorted({v for v, _, _ in during})
    assert len(values) >= 10, values  # the bar moved in many steps, not once at the end
    # the last steps may land in the same read as `done`: the bar's end is checked after
    assert page.evaluate("document.getElementById('progress-bar').value") == 200
    assert any(0 < rows < 20 for _, _, rows in during)  # rows appeared while it worked
    assert page.locator("#side-by-side tbody tr").count() == 20
    assert page.locator("#progress").is_hidden()  # gone once done
    assert "200 sentences" in page.locator("#meta").inner_text()


def metric(base: str, name: str) -> float:
    import urllib.request

    with urllib.request.urlopen(base + "/metrics", timeout=5) as r:
        text = r.read().decode()
    m = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(m.group(1)) if m else float("nan")


def test_closing_the_tab_drops_the_queued_sentences(fake_server, browser):
    base, backend = fake_server
    backend.delay = 0.2  # 50 batches: ~10 s if nobody stopped it
    cancelled_before = metric(base, "roen_cancelled_sentences_total")
    page = browser.new_page()
    page.goto(base + "/")
    page.get_by_label("Romanian text").fill(long_article("anulare"))
    page.get_by_role("button", name="Translate").click()
    page.locator("#side-by-side tbody tr").first.wait_for(timeout=10_000)  # under way
    assert metric(base, "roen_queue_sentences") > 0
    page.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and metric(base, "roen_queue_sentences") > 0:
        time.sleep(0.05)
    assert metric(base, "roen_queue_sentences") == 0
    assert metric(base, "roen_cancelled_sentences_total") - cancelled_before > 100
    backend.delay = 0.0


DOCUMENTS = {
    "stire.txt": "Bună ziua.\n\nA doua.".encode(),
    "pagina.html": "<p>Bună <b>ziua</b>.</p>".encode(),
    "note.md": "# Titlu\n\n- [Legătură](https://ex.ro)".encode(),
    "film.srt": "1\n00:00:01,000 --> 00:00:02,000\nBună ziua.\n".encode(),
}


PACKAGES = ["raport.docx", "raport.pptx", "raport.xlsx", "raport.odt", "raport.epub"]


@pytest.mark.parametrize("name", [*DOCUMENTS, *PACKAGES, "raport.xlf", "raport.pdf"])
def test_a_document_uploaded_on_the_form_comes_back_in_english(
    fake_server, browser, tmp_path, name
):
    """Choose "A file" and the file (with "The file back in English" for a text or page,
    which would otherwise be digested), press the button, get the English file (a PDF's
    as a Word document)."""
    import zipfile

    from service.documents.formats import FORMATS
    from tests.support.samples import SAMPLES

    base, backend = fake_server
    backend.delay = 0.0
    path = tmp_path / name
    stem, suffix = name.rsplit(".", 1)
    path.write_bytes(DOCUMENTS.get(name) or SAMPLES["." + suffix]())
    gives = FORMATS["." + suffix].output.suffix.lstrip(".")
    page = browser.new_page()
    page.goto(base + "/")
    assert page.locator("#file-input").is_hidden()  # one choice shown: the text box
    page.get_by_label("A file", exact=True).check()
    assert page.locator("#text-input").is_hidden() and page.locator("#file").is_visible()
    page.locator("#file").set_input_files(str(path))
    if suffix in ("txt", "html"):
        page.locator("#as-document").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Translate").click()
    download = info.value
    assert download.suggested_filename == f"{stem}.en.{gives}"
    saved = tmp_path / "out"
    download.save_as(saved)
    if zipfile.is_zipfile(saved):  # the English is in one of its parts
        with zipfile.ZipFile(saved) as package:
            assert any(b"EN(" in package.read(n) for n in package.namelist())
    else:
        assert "EN(" in saved.read_text()
    page.close()


def test_a_glossary_typed_on_the_form_is_marked_in_the_streamed_result(fake_server, browser):
    base, _ = fake_server
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/")
    page.get_by_label("Romanian text").fill("Titlu\n\nDecizia Guvernului a venit.")
    page.locator("#digest-form details.glossary summary").click()
    page.locator("#glossary").fill("Guvernul = Government")
    page.get_by_role("button", name="Translate").click()
    page.locator("#meta:not(:empty)").wait_for(timeout=30_000)
    assert page.url == base + "/"  # the script's streamed path, not a reload
    marks = page.locator("#side-by-side mark.term")
    assert marks.all_inner_texts() == ["Guvernului", "Government"]
    assert not errors, errors


def test_a_point_of_the_digest_marks_the_sentence_it_came_from(fake_server, browser):
    """Choose a key point: its Romanian source and its English are marked side by side."""
    base, _ = fake_server
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(base + "/")
    page.get_by_label("Romanian text").fill(
        "Titlu\n\nPrima propoziție aici. A doua propoziție.\n\nUn paragraf nou. Ultima frază."
    )
    page.get_by_role("button", name="Translate").click()
    page.locator("#meta:not(:empty)").wait_for(timeout=30_000)
    points = page.locator("#summary a.cite")
    assert points.count() == 3
    points.nth(2).click()  # "Un paragraf nou." — the third paragraph's first sentence
    marks = page.locator("tr.cited mark.cite")
    assert marks.all_inner_texts() == ["Un paragraf nou.", "EN(Un paragraf nou.)"]
    assert page.locator("tr.cited").get_attribute("id") == "para-2"
    points.nth(0).click()  # another point: the marks move
    assert page.locator("mark.cite").all_inner_texts() == [
        "Prima propoziție aici.",
        "EN(Prima propoziție aici.)",
    ]
    page.close()


@pytest.fixture(scope="module")
def link_server():
    """A server that fetches links, allowed to reach the loopback page server beside it (the
    explicit test allowance), and that page server with the test pages."""
    import http.server
    from functools import partial

    from service.http.app import create_app
    from service.settings import Settings
    from tests.support.fakes import fake_engines

    pages = Path(__file__).resolve().parents[1] / "data" / "html"
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(pages))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    settings = Settings(_env_file=None, fetch_urls=True, fetch_allow_networks=["127.0.0.0/8"])
    try:
        with serving(create_app(settings, fake_engines(settings))) as base:
            yield base, f"http://127.0.0.1:{site.server_address[1]}"
    finally:
        site.shutdown()
        site.server_close()


def test_a_link_is_digested_from_a_loopback_page(link_server, browser):
    base, site = link_server
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(base + "/")
    page.get_by_label("A link", exact=True).check()
    assert page.locator("#text-input").is_hidden() and page.locator("#url").is_visible()
    page.locator("#url").fill(site + "/article.html")
    page.get_by_role("button", name="Translate").click()
    page.locator("#meta:not(:empty)").wait_for(timeout=30_000)
    assert page.url == base + "/"  # streamed, not a reload
    english = page.locator("#side-by-side td[lang=en]").all_inner_texts()
    assert any("EN(" in cell and "buget" in cell for cell in english)  # the article's text
    assert page.locator("#summary a.cite").count() >= 1
    page.close()
