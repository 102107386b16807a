"""Load test over loopback: queries per second, p95 latency and errors while
documents are being uploaded.

    python -m bench.load [--index DIR] [--threads 4] [--sessions 4] [--seconds 30] [--no-app]

(a) threads: `--threads` threads run `SearchEngine.search_all` (both
    methods, 10 hits, passages) against one shared `Index` while another
    thread uploads documents one at a time; first one thread alone, without
    uploads, for reference. Each answer is checked against
    the answer the same query got before any upload: the documents it had
    keep their order and scores, and every other hit is a new upload.
(b) app: `streamlit run` on 127.0.0.1, `--sessions` concurrent browser
    sessions (Playwright, headless Chromium) type queries while one more
    session uploads a .txt file, again and again; first one session alone,
    without uploads, for reference. A query counts from Enter
    to the end of the script run it started; an error is an exception or
    warning shown on the page, or a run that shows no results.

Both parts run on a copy of `--index` (default: the demo index, built into a
temporary directory first, about a minute), bounded by `--seconds` each, and
never leave the loopback interface. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexing.backup import copy_data_dir
from indexing.documents import Document
from indexing.index import Index
from search.engine import HYBRID, SearchEngine

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SENSESEARCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
K = 10
QUERY_TIMEOUT_MS = 60_000
QUERIES = [
    "bushfires threaten homes near Sydney", "interest rates and inflation", "river bank erosion",
    "peace talks in the Middle East", "cricket test match", "anarchism and the state",
    "Australian airline collapse", "Afghanistan Taliban bombing", "mathematics and logic",
    "farmers suffer from drought", "election campaign promises", "gold mining company",
]


@dataclass
class LoadReport:
    part: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered query
    errors: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    uploads: int = 0

    @property
    def qps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        return float(np.percentile(self.latencies, q) * 1000) if self.latencies else float("nan")

    def row(self) -> str:
        return (f"| {self.part} | {self.clients} | {self.seconds:.0f} | {len(self.latencies)} | {self.qps:.1f} | "
                f"{self.percentile_ms(50):.0f} | {self.percentile_ms(95):.0f} | {len(self.errors)} | "
                f"{len(self.inconsistent)} | {self.uploads} |")


TABLE_HEAD = ("| part | clients | s | queries | QPS | p50 ms | p95 ms | errors | inconsistent | uploads |\n"
              "|---|---|---|---|---|---|---|---|---|---|")


# ---- (a) threads against one Index -------------------------------------------

def run_threads(index: Index, queries: Sequence[str], uploads: Sequence[Document], threads: int = 4,
                seconds: float = 10.0) -> LoadReport:
    """`threads` searchers against `index` for `seconds`, while one more
    thread uploads `uploads` one by one (cycling, each pass with new text)."""
    engine = SearchEngine(index)
    baseline = {q: engine.search_all(q, k=K) for q in queries}
    newest_before = max(index.store.document_ids(), default=0)
    report = LoadReport("threads: search_all" + (" while uploading" if uploads else ", no upload"), threads)
    stop = threading.Event()
    lock = threading.Lock()

    def search(worker: int) -> None:
        for query in itertools.islice(itertools.cycle(queries), worker, None):
            if stop.is_set():
                return
            started = time.perf_counter()
            try:
                results = engine.search_all(query, k=K)
            except Exception as error:  # noqa: BLE001 - counting errors is the point
                with lock:
                    report.errors.append(f"{query!r}: {error!r}")
                continue
            elapsed = time.perf_counter() - started
            problems = _inconsistencies(query, results, baseline[query], newest_before)
            with lock:
                report.latencies.append(elapsed)
                report.inconsistent.extend(problems)

    def upload() -> None:
        for number in itertools.count():
            document = uploads[number % len(uploads)]
            if stop.is_set():
                return
            text = document.text if number < len(uploads) else f"{document.text} (upload {number})"
            try:
                added = index.add_documents([Document(f"{document.title} {number}", text, document.source)]).added
            except Exception as error:  # noqa: BLE001
                with lock:
                    report.errors.append(f"upload {number}: {error!r}")
                continue
            with lock:
                report.uploads += len(added)

    workers = [threading.Thread(target=search, args=(i,)) for i in range(threads)]
    workers += [threading.Thread(target=upload)] if uploads else []
    workers += [threading.Thread(target=_check_snapshots, args=(index, report, stop, lock))]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    report.seconds = time.perf_counter() - started
    return report


def _check_snapshots(index: Index, report: LoadReport, stop: threading.Event, lock: threading.Lock) -> None:
    """Until `stop`: a reader must see every method at the same point, the
    same documents (a sentence index's ids are sentence ids: compare their
    documents)."""
    while not stop.is_set():
        live = index.snapshot()
        ids = {}
        for name, vectors in live.vectors.items():
            found = vectors.ids().tolist()
            if live.methods[name].unit == "sentence":
                found = set(index.store.sentence_documents(found).values())
            ids[name] = tuple(sorted(found))
        if len(set(ids.values())) > 1:
            with lock:
                report.inconsistent.append(f"snapshot {live.name}: methods hold different ids")
        time.sleep(0.001)


def _inconsistencies(query: str, results: dict, baseline: dict, newest_before: int) -> list[str]:
    """Uploads only add documents: the documents a query found before keep
    their order and scores, and any other hit is a document uploaded since."""
    problems = []
    for method, hits in results.items():
        if isinstance(hits, str):
            problems.append(f"{query!r} {method}: {hits}")
            continue
        before = [(h.doc_id, h.score) for h in baseline[method]]
        known = {doc_id for doc_id, _ in before}
        kept = [(h.doc_id, h.score) for h in hits if h.doc_id in known]
        # Hybrid normalises each run's scores per query: an upload that joins
        # a run moves the others' fused scores, and can lift an old document
        # into the top k, as it would without any race.
        if method != HYBRID and kept != before[: len(kept)]:
            problems.append(f"{query!r} {method}: {kept} is not a prefix of {before}")
        strangers = [h.doc_id for h in hits if h.doc_id not in known and h.doc_id <= newest_before]
        if strangers and method != HYBRID:
            problems.append(f"{query!r} {method}: old documents {strangers} appeared")
    return problems


# ---- (b) browser sessions against `streamlit run` ---------------------------

_WATCH_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__sawRun = false;
  new MutationObserver(records => {
    for (const r of records) if (r.oldValue === 'running' || app.getAttribute('data-test-script-state') === 'running')
      window.__sawRun = true;
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
}"""
_RUN_DONE = """() => window.__sawRun &&
  document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state') === 'notRunning'"""


def run_app(data_dir: Path, queries: Sequence[str], uploads: Sequence[Document], sessions: int = 4,
            seconds: float = 30.0) -> LoadReport:
    """`sessions` browser sessions searching the app for `seconds` while one
    more session uploads files."""
    port = _free_port()
    log = open(data_dir / "streamlit.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--", "--data-dir", str(data_dir)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, timeout=120)
        return asyncio.run(_drive(url, queries, uploads, sessions, seconds, data_dir))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        errors = [line for line in (data_dir / "streamlit.log").read_text().splitlines()
                  if "Error" in line or "Traceback" in line]
        for line in errors[:20]:
            print(f"streamlit.log: {line}", file=sys.stderr)


async def _drive(url: str, queries: Sequence[str], uploads: Sequence[Document], sessions: int,
                 seconds: float, folder: Path) -> LoadReport:
    from playwright.async_api import async_playwright

    report = LoadReport("app: browser sessions" + (" while one uploads" if uploads else ", no upload"), sessions)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pages = [await (await browser.new_context()).new_page() for _ in range(sessions + bool(uploads))]
        await asyncio.gather(*(_open(page, url) for page in pages))
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        work = [_searcher(page, queries[i:] + queries[:i], deadline, report) for i, page in enumerate(pages[:sessions])]
        if uploads:
            work.append(_uploader(pages[-1], url, uploads, deadline, report, folder))
        await asyncio.gather(*work)
        report.seconds = time.perf_counter() - started
        await browser.close()
    return report


async def _open(page, url: str) -> None:
    await page.goto(url)
    await page.get_by_label("Query", exact=True).wait_for(timeout=120_000)
    await page.evaluate(_WATCH_RUNS)


async def _run(page, action) -> None:
    """Do `action` (a coroutine) and wait for the script run it starts."""
    await page.evaluate("() => { window.__sawRun = false; }")
    await action
    try:
        await page.wait_for_function(_RUN_DONE, timeout=QUERY_TIMEOUT_MS)
    except Exception as error:  # noqa: BLE001 - say what the page was doing
        state = await page.evaluate("""() => { const app = document.querySelector('[data-testid="stApp"]');
          return `script ${app.getAttribute('data-test-script-state')}, connection `
               + `${app.getAttribute('data-test-connection-state')}, saw a run: ${window.__sawRun}`; }""")
        raise TimeoutError(f"no finished run within {QUERY_TIMEOUT_MS / 1000:.0f} s ({state})") from error


async def _searcher(page, queries: Sequence[str], deadline: float, report: LoadReport) -> None:
    box = page.get_by_label("Query", exact=True)  # not the Hybrid expander's slider
    for query in itertools.cycle(queries):
        if time.perf_counter() > deadline:
            return
        await box.fill(query)  # the previous query differs, so Enter starts a run
        started = time.perf_counter()
        try:
            await _run(page, box.press("Enter"))
        except Exception as error:  # noqa: BLE001
            report.errors.append(f"{query!r}: {error!r}")
            continue
        elapsed = time.perf_counter() - started
        problem = await page.evaluate("""() => {
          const q = s => document.querySelectorAll(s).length;
          if (q('[data-testid="stException"]')) return 'exception shown';
          if (document.body.innerText.includes('Something went wrong')) return 'error shown';
          if (q('[data-testid="stMainBlockContainer"] [data-testid="stAlertContentWarning"]')) return 'warning shown';
          const columns = [...document.querySelectorAll('[data-testid="stColumn"]')];
          if (columns.filter(c => c.innerText.includes('score ')).length < 2) return 'no results';
          return '';
        }""")
        if problem:
            report.errors.append(f"{query!r}: {problem}")
        else:
            report.latencies.append(elapsed)


async def _uploader(page, url: str, uploads: Sequence[Document], deadline: float, report: LoadReport,
                    folder: Path) -> None:
    for number in itertools.count():
        if time.perf_counter() > deadline:
            return
        document = uploads[number % len(uploads)]
        path = folder / f"upload-{number}.txt"
        path.write_text(f"{document.text} (upload {number})")
        try:
            if number:  # a fresh session for each upload: the uploader keeps earlier files
                await _open(page, url)
            await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
            await page.get_by_role("button", name="Add to index").click(timeout=120_000)  # shown once it has the file
            await page.get_by_text("Added 1 document(s)").wait_for(timeout=120_000)
            report.uploads += 1
        except Exception as error:  # noqa: BLE001
            report.errors.append(f"upload {number}: {error!r}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f} s")


# ---- command line -------------------------------------------------------------

def upload_pool() -> list[Document]:
    """Documents to upload: the 50 stories of gensim's Lee test set, which
    the demo index does not hold."""
    from gensim.test.utils import datapath

    with open(datapath("lee.cor"), encoding="latin-1") as lines:
        return [Document(f"Lee test {i}", line.strip(), "lee.cor") for i, line in enumerate(lines, 1) if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="data directory to copy (default: build the demo index)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each part")
    parser.add_argument("--no-app", action="store_true", help="skip the browser part")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="sensesearch-load-") as scratch:
        scratch = Path(scratch)
        source = args.index
        if source is None:
            from indexing.demo import DemoCorpus

            source = scratch / "demo"
            print("building the demo index ...", file=sys.stderr)
            Index(source).build(DemoCorpus())
        pool = upload_pool()
        # One client without uploads first: the reference the loaded figures compare with.
        reports = [run_threads(Index.open(copy_data_dir(source, scratch / f"threads-{n}")), QUERIES, uploads, n,
                               args.seconds) for n, uploads in ((1, []), (args.threads, pool))]
        if not args.no_app:
            reports += [run_app(copy_data_dir(source, scratch / f"app-{n}"), QUERIES, uploads, n, args.seconds)
                        for n, uploads in ((1, []), (args.sessions, pool))]
    print(f"{os.cpu_count()} CPU cores, {args.seconds:.0f} s per part\n")
    print(TABLE_HEAD)
    for report in reports:
        print(report.row())
    for report in reports:
        for message in (report.errors + report.inconsistent)[:5]:
            print(f"{report.part}: {message}", file=sys.stderr)
    return 1 if any(r.errors or r.inconsistent for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
