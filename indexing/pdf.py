"""The text layer of a PDF, read by pypdf in a child process with a time and
memory limit.

Consumes the bytes of an uploaded PDF; produces its title (from the metadata,
if any) and the text of each page, or raises `UnsupportedFileError`. A hostile
or broken PDF (a compression bomb, a page tree that loops) can keep pypdf
busy for minutes or make it allocate gigabytes; in a child process capped by
RLIMIT_AS and a wall-clock timeout it costs at most that, and the app's
process, with every other session in it, is not touched. The child gets the
bytes on stdin and answers JSON on stdout: nothing is executed or unpickled.

Run as `python -m indexing.pdf` it is that child.
"""
from __future__ import annotations

import io
import json
import logging
import resource
import subprocess
import sys
import time
from pathlib import Path

from indexing.errors import UnsupportedFileError

logger = logging.getLogger(__name__)

MAX_PDF_PAGES = 1000
PDF_SECONDS = 30.0  # the child stops reading pages after this long and returns what it has
KILL_SECONDS = 60.0  # the child is killed after this long: one page that never ends
# Address space of the child: Python and pypdf take ~60 MB of it. A page
# whose content stream inflates to 70 MB (pypdf's own cap is 75 MB) took
# 890 MB and a minute to read; this stops such a page at ~35 MB.
MEMORY_BYTES = 512 << 20
CHILD = [sys.executable, "-m", "indexing.pdf"]
_ROOT = Path(__file__).resolve().parent.parent  # where `-m indexing.pdf` is found


def read_pdf_text(name: str, data: bytes) -> tuple[str | None, list[str]]:
    """The title (or None) and the text of each page of the PDF `data`."""
    child = subprocess.Popen(CHILD, cwd=_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        # The child blocks reading stdin until we write: the limit is in
        # place before it parses a byte (preexec_fn is unsafe with threads).
        resource.prlimit(child.pid, resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    except (AttributeError, OSError) as error:  # not Linux, or the child already died
        logger.warning("cannot limit the memory of the PDF reader (%s)", error)
    try:
        out, err = child.communicate(data, timeout=KILL_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise UnsupportedFileError(
            f"{name}: reading the PDF took longer than {KILL_SECONDS:.0f} s, so it was stopped; "
            "a broken or unusual PDF? Save it again (print to PDF) or as text, and retry."
        ) from None
    try:
        answer = json.loads(out) if child.returncode == 0 else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        if b"MemoryError" in err or child.returncode < 0:
            reason = f"the reader ran out of its {MEMORY_BYTES >> 20} MB of memory"
        else:
            reason = f"the reader failed with exit code {child.returncode}"
        logger.warning("%s: the PDF reader failed: %s", name, err.decode("utf-8", "replace").strip()[-300:])
        raise UnsupportedFileError(f"{name}: not a readable PDF ({reason}).")
    if "error" in answer:
        raise UnsupportedFileError(f"{name}: {answer['error']}")
    title = answer.get("title")
    return (title if isinstance(title, str) else None), [p for p in answer.get("pages", []) if isinstance(p, str)]


def _read(data: bytes) -> dict:
    """In the child: the answer for the PDF `data`, as a JSON-ready dict."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            return {"error": "the PDF is password-protected."}
        pages = []
        deadline = time.monotonic() + PDF_SECONDS
        for i, page in enumerate(reader.pages):
            if i >= MAX_PDF_PAGES or time.monotonic() > deadline:
                logger.warning("stopped reading after %d pages", i)
                break
            pages.append(page.extract_text() or "")
        title = reader.metadata.title if reader.metadata and reader.metadata.title else None
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001 - pypdf raises many types on malformed input
        return {"error": f"not a readable PDF ({type(error).__name__}: {str(error)[:200]})."}
    return {"title": None if title is None else str(title), "pages": pages}


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    json.dump(_read(sys.stdin.buffer.read()), sys.stdout)
