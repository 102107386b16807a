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
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    yield page
    page.close()


def _column(page, label: str):
    """The results column under the heading `label`."""
    heading = page.get_by_role("heading", name=label, exact=True)
    heading.wait_for(timeout=60_000)
    return page.locator('[data-testid="stColumn"]').filter(has=heading)


def _idle(page) -> None:
    """Wait for the app's current run to end: text typed into a running page can be lost."""
    running = page.locator('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"]')
    running.first.wait_for(state="hidden", timeout=120_000)


def _search(page, query: str) -> None:
    _idle(page)
    box = page.get_by_label("Query", exact=True)  # not the Hybrid expander's "Query's own share ..."
    box.fill(query)
    box.press("Enter")


def _open_sidebar(page) -> None:
    """The sidebar starts closed (the results columns need the width)."""
    page.get_by_label("Query", exact=True).wait_for(timeout=120_000)
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.is_visible():
        expand.click()
    # Closed, it sits left of the screen; open, on it.
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]')"
                           ".getBoundingClientRect().left >= 0", timeout=30_000)


def _settled_boxes(page, selector: str) -> list[dict]:
    """The bounding boxes of `selector`'s elements once two readings a second apart agree
    (Streamlit streams a run's elements in)."""
    before = None
    for _ in range(30):
        boxes = [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]
        if boxes and boxes == before:
            return boxes
        before = boxes
        time.sleep(1)
    return before or []


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
        # Cosines, and the Senses column's BM25 scores weighed by sense (search/sense_rank.py).
        assert re.search(r"score \d+\.\d+" if label == "Senses" else r"score 0\.", column.inner_text())
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


def test_at_1280x800_the_first_result_of_each_column_shows_without_scrolling(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})  # a fresh session: the default page state
    page.goto(app_url)
    _search(page, "bushfires threaten homes near Sydney")
    page.locator(".st-key-hit-senses-1").wait_for(timeout=120_000)
    assert page.locator("details:has-text('ELMo layer weights')").get_attribute("open") is None, "panel opened"
    firsts = [f".st-key-hit-{name}-1" for name in ("hybrid", "bm25", "dm", "dbow", "elmo", "senses")]
    cards = _settled_boxes(page, ", ".join(firsts))
    page.screenshot(path=str(tmp_path / "1280x800.png"))
    assert len(cards) == 6
    for selector, card in zip(firsts, cards):
        assert 0 <= card["y"] and card["y"] + card["height"] <= 800, f"{selector} is not fully in view: {card}"
        passage = page.locator(f"{selector} .passage").bounding_box()
        # The passage's last line keeps clear of the card's border.
        assert passage["y"] + passage["height"] <= card["y"] + card["height"] - 8, selector
    page.close()


def test_the_word_senses_view_maps_a_words_occurrences(page):
    _search(page, "Israeli troops entered the West Bank town")
    page.get_by_role("tab", name="Word senses").click()
    page.get_by_role("combobox", name="Word").wait_for(timeout=60_000)
    expect(page.get_by_text("Example:").first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible(timeout=120_000)
    # Typing part of a word lists the words that start with it: the demo's inventory has no
    # word in "ban", and a fuzzy match offered (and Enter chose) "albania".
    words = page.get_by_role("combobox", name="Word")
    words.click()
    words.fill("ban")
    page.get_by_role("option").first.wait_for(timeout=30_000)
    assert "albania" not in page.get_by_role("option").all_inner_texts()
    words.fill("sec")  # "second" and "security"; a fuzzy match adds "research", "science", ...
    expect(page.get_by_role("option").first).to_have_text(re.compile(r"^\s*sec"), timeout=30_000)
    options = page.get_by_role("option").all_inner_texts()
    assert options and all(o.strip().startswith("sec") for o in options), options
    words.press("Enter")
    expect(page.get_by_text(re.compile(r"occurrences of sec\w* in the collection"))).to_be_visible(timeout=120_000)
    page.get_by_role("tab", name="Search").click()


def test_uploaded_txt_file_is_found_by_a_query(page, tmp_path):
    upload = tmp_path / "harbour-regatta.txt"
    upload.write_text(
        "The annual harbour regatta was cancelled after gale force winds capsized several yachts. "
        "Sailors and their boats sheltered in the marina while rescue crews searched the harbour."
    )
    _open_sidebar(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_role("button", name="Add to index").click()
    page.get_by_text("Added 1 document(s)").wait_for(timeout=120_000)
    page.get_by_role("tab", name="Search").click()
    # One of its sentences: ELMo's sentence index meets it exactly.
    _search(page, "The annual harbour regatta was cancelled after gale force winds capsized several yachts.")
    page.get_by_text("1. harbour-regatta").first.wait_for(timeout=60_000)
    for label in METHODS:
        expect(_column(page, label)).to_contain_text("harbour-regatta.txt", timeout=60_000)


def test_a_hit_opens_its_document_scrolled_to_the_passage(page, tmp_path):
    filler = "".join(f"Item {i}: the committee noted the routine report on budgets, rooms and rotas.\n"
                     for i in range(80))
    upload = tmp_path / "committee-minutes.txt"
    upload.write_text(filler + "The zeppelin mooring mast at Lakehurst was painted turquoise by volunteers.\n" + filler)
    _open_sidebar(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_role("button", name="Add to index").click()
    page.get_by_text("Added 1 document(s)").wait_for(timeout=120_000)
    _search(page, "The zeppelin mooring mast at Lakehurst was painted turquoise by volunteers.")
    card = page.locator('[class*="st-key-hit-"]').filter(has_text="committee-minutes.txt").first
    card.wait_for(timeout=60_000)
    card.get_by_role("button", name="Open document").click()
    passage = page.locator(".document-view .hit-passage")
    expect(passage).to_contain_text("zeppelin mooring mast", timeout=60_000)
    expect(passage.locator("mark.match").first).to_be_visible()
    time.sleep(1)  # the dialog's script scrolls once the box is laid out
    view = page.locator(".document-view").bounding_box()
    marked = passage.bounding_box()
    assert page.locator(".document-view").evaluate("box => box.scrollTop") > 0, "not scrolled"
    assert view["y"] <= marked["y"] and marked["y"] + marked["height"] <= view["y"] + view["height"]
    page.keyboard.press("Escape")
