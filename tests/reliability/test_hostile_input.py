"""Hostile input: uploads never execute anything and cannot exhaust the
app; models and indexes load only from files SenseSearch wrote into its own
data directory; an uploaded title cannot inject markup into the page."""
from __future__ import annotations

import re
import sys
import time
import zlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import indexing.ingest as ingest
import indexing.pdf as pdf
from indexing.errors import IndexCorruptError, UnsupportedFileError
from indexing.index import Index
from indexing.ingest import read_upload, read_uploads, safe_name
from search.render import literal_markdown
from tests.reliability.checks import current_generation

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")


def flate_bomb(characters: int) -> bytes:
    """A one-page PDF whose content stream is `characters` letters in one
    string, deflated: ~1 KB per million letters on disk."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (" + b"A" * characters + b") Tj ET", 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
               b"/Resources << /Font << /F1 3 0 R >> >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ---- PDFs are read in a child process with a time and memory limit -----------------

def test_a_pdf_that_inflates_past_the_memory_limit_is_refused_and_the_app_lives_on(
        monkeypatch: pytest.MonkeyPatch, make_pdf) -> None:
    monkeypatch.setattr(pdf, "MEMORY_BYTES", 100 << 20)
    bomb = flate_bomb(20_000_000)  # 20 KB that pypdf turns into hundreds of MB
    assert len(bomb) < 100_000
    started = time.monotonic()
    with pytest.raises(UnsupportedFileError, match=r"^bomb\.pdf: not a readable PDF \(the reader ran out of its "
                                                   r"100 MB of memory\)\.$"):
        read_upload("bomb.pdf", bomb)
    assert time.monotonic() - started < 20
    # The same limit leaves an ordinary PDF alone.
    [doc] = read_upload("fine.pdf", make_pdf(["A short report about the river bank."]))
    assert doc.text == "A short report about the river bank."


def test_a_pdf_reader_that_hangs_is_killed_after_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "CHILD", [sys.executable, "-c", "import time; time.sleep(60)"])
    monkeypatch.setattr(pdf, "KILL_SECONDS", 1.0)
    started = time.monotonic()
    with pytest.raises(UnsupportedFileError, match=r"^slow\.pdf: reading the PDF took longer than 1 s"):
        read_upload("slow.pdf", b"%PDF-1.4 whatever")
    assert time.monotonic() - started < 10


def test_the_pdf_reader_child_has_the_memory_limit_before_it_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    # A child that allocates 2 GB after reading its input must fail, whatever it parses.
    monkeypatch.setattr(pdf, "CHILD", [sys.executable, "-c",
                                      "import sys; sys.stdin.buffer.read(); x = bytearray(2 << 30); print('{}')"])
    with pytest.raises(UnsupportedFileError, match="ran out of its 512 MB of memory"):
        read_upload("greedy.pdf", b"%PDF-1.4 whatever")


# ---- names, sizes and counts ------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("../../etc/cron.d/evil.txt", "evil.txt"),
    ("C:\\Users\\me\\secret.md", "secret.md"),
    ("/absolute/path.csv", "path.csv"),
    ("tab\tand\nnewline\x00.txt", "tabandnewline.txt"),
    ("x" * 400 + ".jsonl", "x" * 249 + ".jsonl"),
])
def test_file_names_lose_path_parts_control_characters_and_excess_length(name: str, expected: str) -> None:
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["", "..", "dir/ ", "\x00\x01", "a/.."])
def test_unusable_file_names_are_refused_with_a_message(name: str) -> None:
    with pytest.raises(UnsupportedFileError, match="is not a usable file name"):
        safe_name(name)


def test_an_upload_past_the_file_count_is_refused_by_name() -> None:
    files = [(f"note{i}.txt", f"Note {i} about rivers.".encode()) for i in range(ingest.MAX_FILES_PER_UPLOAD + 2)]
    documents, errors = read_uploads(files)
    assert len(documents) == ingest.MAX_FILES_PER_UPLOAD
    assert errors == [f"note{i}.txt: at most {ingest.MAX_FILES_PER_UPLOAD} files per upload; add it in another upload."
                      for i in (200, 201)]


def test_an_upload_past_the_total_size_or_document_count_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_UPLOAD_BYTES", 100)
    documents, errors = read_uploads([("a.txt", b"a" * 60), ("b.txt", b"b" * 60), ("c.txt", b"c" * 30)])
    assert [d.source for d in documents] == ["a.txt", "c.txt"]
    assert errors == ["b.txt: the upload is over 0 MB in all; add it in another upload."]
    monkeypatch.setattr(ingest, "MAX_UPLOAD_BYTES", 10**9)
    monkeypatch.setattr(ingest, "MAX_DOCUMENTS_PER_UPLOAD", 3)
    rows = "text\n" + "".join(f"row {i} about the river\n" for i in range(3))
    documents, errors = read_uploads([("one.txt", b"One river."), ("rows.csv", rows.encode())])
    assert len(documents) == 1
    assert errors == ["rows.csv: 3 documents would take the upload past 3; split the file, or add it with "
                      "`python -m indexing build --add --source FILE`."]


def test_an_oversized_file_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(UnsupportedFileError, match=r"^big\.txt: 20\.0 MB is over the 20 MB limit per file\.$"):
        read_upload("big.txt", b"a" * (ingest.MAX_FILE_BYTES + 1))


def test_json_that_is_nested_too_deeply_or_holds_lone_surrogates_is_handled() -> None:
    with pytest.raises(UnsupportedFileError, match=r"^deep\.jsonl: line 1 is nested too deeply to read\.$"):
        read_upload("deep.jsonl", b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    [doc] = read_upload("odd.jsonl", b'{"title": "half \\ud800 pair", "text": "river \\udfff bank"}')
    assert (doc.title, doc.text) == ("half \ufffd pair", "river \ufffd bank")
    doc.text.encode("utf-8")  # SQLite would refuse a lone surrogate


def test_a_json_line_with_a_unicode_line_separator_is_one_record() -> None:
    [doc] = read_upload("sep.jsonl", '{"text": "first part\u2028second part"}\n'.encode())
    assert doc.text == "first part\u2028second part"


# ---- nothing is unpickled from outside the data directory ------------------------

def _sources() -> list[Path]:
    return [*sorted((ROOT / "indexing").rglob("*.py")), *sorted((ROOT / "search").rglob("*.py")),
            ROOT / "streamlit_app.py"]


def _call(text: str, start: int) -> str:
    """The arguments of the call whose "(" ends just before `start`."""
    depth = 1
    for end in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            return text[start:end]
    return text[start:]


def test_no_code_unpickles_and_torch_loads_only_weights() -> None:
    problems = []
    for path in _sources():
        text = path.read_text()
        for match in re.finditer(r"\bpickle\.loads?\(|allow_pickle\s*=\s*True|\bmarshal\.loads?\(", text):
            problems.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group()}")
        for match in re.finditer(r"\btorch\.load\(", text):
            call = _call(text, match.end())
            if "weights_only=True" not in call:
                problems.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: {call}")
    assert problems == []


def test_a_current_pointer_that_leaves_the_index_folder_is_refused(fresh_copy: Path) -> None:
    (fresh_copy / "CURRENT").write_text("../../elsewhere")
    with pytest.raises(IndexCorruptError, match=r"names '\.\./\.\./elsewhere', not an index generation"):
        Index.open(fresh_copy)


@pytest.mark.parametrize("link", ["generation", "model file"])
def test_a_generation_with_symbolic_links_is_refused(fresh_copy: Path, tmp_path: Path, link: str) -> None:
    generation = fresh_copy / "indexes" / current_generation(fresh_copy)
    if link == "generation":
        outside = generation.rename(tmp_path / "outside")
        generation.symlink_to(outside)
    else:
        model = generation / "dbow" / "doc2vec.model"
        model.rename(tmp_path / "doc2vec.model")
        model.symlink_to(tmp_path / "doc2vec.model")
    with pytest.raises(IndexCorruptError, match="holds symbolic links; SenseSearch loads models only from files"):
        Index.open(fresh_copy)


# ---- an uploaded title cannot inject markup -----------------------------------------

def test_literal_markdown_escapes_every_ascii_punctuation_character() -> None:
    title = "![x](https://evil.example/p.png) [click](javascript:alert(1)) <b>x</b> :red[y] # *z* `c` $m$"
    escaped = literal_markdown(title)
    assert re.sub(r"\\(.)", r"\1", escaped) == title
    assert not re.search(r"[!-/:-@\[-`{-~]", re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped))


def test_a_hostile_title_shows_as_text_in_the_app(copy_index, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENSESEARCH_DATA_DIR", str(copy_index(tmp_path / "data")))
    app = AppTest.from_file(APP, default_timeout=120).run()
    title = "![pixel](https://evil.example/p.png) [click](javascript:alert(1))"
    text = "The lighthouse keeper trimmed the lamp while the fog horn sounded over the rocks."
    page = f"# {title}\n\n{text}\n".encode()
    app.file_uploader(key="upload").set_value(("../../evil.md", page, "text/markdown")).run()
    app.button(key="add").click().run()
    assert not app.exception and any("Added 1 document" in s.value for s in app.success)
    app.text_input(key="query").input(text).run()
    shown = "\n".join(m.value for m in app.markdown) + "\n".join(c.value for c in app.caption)
    assert literal_markdown(title) in shown and title not in shown
    assert "evil\\.md" in shown and "\\.\\./" not in shown
