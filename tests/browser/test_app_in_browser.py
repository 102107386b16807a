"""End to end in a real browser: `streamlit run` on loopback, driven by
Playwright in Debian's Chromium. The app starts on an empty data directory,
so this also checks the first-start build of the demo index."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("SENSESEARCH_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # the first start builds the demo index: about nine minutes
    # Skipped on a developer machine without Chromium; CI installs it and must run this.
    pytest.mark.skipif(not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser-data")
    port = _free_port()
    log = open(data_dir / "streamlit.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--", "--data-dir", str(data_dir)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()
    print((data_dir / "streamlit.log").read_text()[-3000:])


@pytest.fixture(scope="module")
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_url)
        yield page
        browser.close()


def _column(page, label: str):
    """The results column under the heading `label`."""
    heading = page.get_by_role("heading", name=label, exact=True)
    heading.wait_for(timeout=60_000)
    return page.locator('[data-testid="stColumn"]').filter(has=heading)


def _search(page, query: str) -> None:
    box = page.get_by_label("Query", exact=True)  # not the Hybrid expander's "Query's own share ..."
    box.fill(query)
    box.press("Enter")


METHODS = ("Doc2Vec DM", "Doc2Vec DBOW", "ELMo", "Senses")


def test_first_start_builds_demo_index_then_query_fills_every_column(page, tmp_path):
    # One bar for the whole first start, not one refilling per stage, with the time left.
    overall = re.compile(r"Building the demo index: .+ \(\d+/\d+\) · \d+% of all stages · "
                         r"(about \d+ (s|min) left|estimating the time left)")
    expect(page.get_by_text(overall)).to_be_visible(timeout=180_000)
    # The first start trains every method on the demo corpus (about five minutes here).
    page.get_by_label("Query", exact=True).wait_for(timeout=900_000)
    _search(page, "bushfires threaten homes near Sydney")
    for label in METHODS:
        column = _column(page, label)
        column.get_by_text("2. ", exact=False).first.wait_for(timeout=60_000)
        assert "score 0." in column.inner_text()
    # Playwright's expect retries until the page settles: the columns fill in
    # while Streamlit is still streaming the run.
    both = page.locator('[data-testid="stColumn"]').filter(has=page.get_by_role("heading"))
    expect(both.filter(has_text=re.compile("fire", re.IGNORECASE)).first).to_be_visible(timeout=60_000)
    expect(page.locator("mark.match").first).to_be_visible(timeout=60_000)
    # Highlights carry how the words met: same sense, other sense, same word or related.
    kinds = page.locator("mark.same-sense, mark.other-sense, mark.same-word, mark.related")
    expect(kinds.first).to_be_visible(timeout=60_000)
    assert "matches query word" in (kinds.first.get_attribute("title") or "")
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)


def test_the_word_senses_view_maps_a_words_occurrences(page):
    _search(page, "Israeli troops entered the West Bank town")
    page.get_by_role("tab", name="Word senses").click()
    page.get_by_role("combobox", name="Word").wait_for(timeout=60_000)
    expect(page.get_by_text("Example:").first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible(timeout=120_000)
    page.get_by_role("tab", name="Search").click()


def test_uploaded_txt_file_is_found_by_a_query(page, tmp_path):
    upload = tmp_path / "harbour-regatta.txt"
    upload.write_text(
        "The annual harbour regatta was cancelled after gale force winds capsized several yachts. "
        "Sailors and their boats sheltered in the marina while rescue crews searched the harbour."
    )
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_role("button", name="Add to index").click()
    page.get_by_text("Added 1 document(s)").wait_for(timeout=120_000)
    page.get_by_role("tab", name="Search").click()
    # One of its sentences: ELMo's sentence index meets it exactly.
    _search(page, "The annual harbour regatta was cancelled after gale force winds capsized several yachts.")
    page.get_by_text("1. harbour-regatta").first.wait_for(timeout=60_000)
    for label in METHODS:
        expect(_column(page, label)).to_contain_text("harbour-regatta.txt", timeout=60_000)
