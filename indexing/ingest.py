"""Read user files into `Document`s: .txt, .md, .csv/.tsv, .jsonl and .pdf.

Consumes a file name and its bytes (an upload) or a path (the command line);
produces `Document`s, or raises `UnsupportedFileError` with a message that
names the file and what is wrong. Nothing here executes or unpickles user
data; file names lose any path parts before they are stored or shown (they
never name a file on disk); uploads are limited in size and count; PDFs are
parsed in a child process with a time and memory limit (indexing/pdf.py).
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from indexing.documents import Document
from indexing.errors import UnsupportedFileError
from indexing.text_bytes import decode_text
from indexing.pdf import read_pdf_text

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024  # one upload; a 20 MB text file is ~3M words
MAX_FILES_PER_UPLOAD = 200
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # all files of one upload together
# Every model infers each new document while the upload holds the write
# lock: 10,000 take minutes (bench/results/decisions.md). Bigger batches go
# through the command line.
MAX_DOCUMENTS_PER_UPLOAD = 10_000
MAX_NAME_CHARS = 255
MAX_TITLE_CHARS = 300
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
TABLE_SUFFIXES = (".csv", ".tsv")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *TABLE_SUFFIXES, ".jsonl", ".pdf")
TEXT_COLUMN_GUESSES = ("text", "body", "content", "abstract", "document")
TITLE_COLUMN_GUESSES = ("title", "name", "headline")


@dataclass(frozen=True)
class Columns:
    """Which fields of a table or JSON-lines file hold the text and the title."""

    text: str | None = None  # None: the first of TEXT_COLUMN_GUESSES present
    title: str | None = None  # None: the first of TITLE_COLUMN_GUESSES, else numbered


def safe_name(name: str) -> str:
    """The file name without any directory parts (`../../etc/x.txt` -> `x.txt`)."""
    base = PurePosixPath(_valid_unicode(name).replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip()
    if base in ("", ".", ".."):
        raise UnsupportedFileError(f"{name[:MAX_NAME_CHARS]!r} is not a usable file name.")
    if len(base) > MAX_NAME_CHARS:  # keep the suffix: it says how to read the file
        suffix = PurePosixPath(base).suffix[:16]
        base = base[: MAX_NAME_CHARS - len(suffix)] + suffix
    return base


def read_uploads(files: Iterable[tuple[str, bytes]],
                 columns: Mapping[str, Columns] | None = None) -> tuple[list[Document], list[str]]:
    """The documents of several uploaded files `(name, bytes)`, and one
    message per file refused. Enforces the limits of one upload: at most
    `MAX_FILES_PER_UPLOAD` files, `MAX_UPLOAD_BYTES` together and
    `MAX_DOCUMENTS_PER_UPLOAD` documents; files past a limit are refused by
    name. `columns` maps file names to the columns chosen for them."""
    documents: list[Document] = []
    errors: list[str] = []
    total = 0
    for number, (name, data) in enumerate(files, 1):
        try:
            shown = safe_name(name)
            if number > MAX_FILES_PER_UPLOAD:
                raise UnsupportedFileError(
                    f"{shown}: at most {MAX_FILES_PER_UPLOAD} files per upload; add it in another upload.")
            if total + len(data) > MAX_UPLOAD_BYTES:
                raise UnsupportedFileError(
                    f"{shown}: the upload is over {MAX_UPLOAD_BYTES // 2**20} MB in all; add it in another upload.")
            found = read_upload(name, data, (columns or {}).get(name))
            if len(documents) + len(found) > MAX_DOCUMENTS_PER_UPLOAD:
                raise UnsupportedFileError(
                    f"{shown}: {len(found):,} documents would take the upload past {MAX_DOCUMENTS_PER_UPLOAD:,}; "
                    "split the file, or add it with `python -m indexing build --add --source FILE`.")
            documents.extend(found)
            total += len(data)
        except UnsupportedFileError as error:
            errors.append(str(error))
    return documents, errors


def read_upload(name: str, data: bytes, columns: Columns | None = None) -> list[Document]:
    """Documents in one uploaded file. Raises `UnsupportedFileError`."""
    name = safe_name(name)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(
            f"{name}: unsupported file type {suffix or '(none)'}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}."
        )
    if len(data) > MAX_FILE_BYTES:
        raise UnsupportedFileError(
            f"{name}: {len(data) / 2**20:.1f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit per file."
        )
    if not data.strip():
        raise UnsupportedFileError(f"{name}: the file is empty.")
    if suffix == ".pdf":
        docs = _read_pdf(name, data)
    elif suffix in TABLE_SUFFIXES:
        docs = _read_table(name, decode_text(name, data), "\t" if suffix == ".tsv" else ",", columns)
    elif suffix == ".jsonl":
        docs = _read_jsonl(name, decode_text(name, data), columns)
    else:
        docs = [_read_plain(name, decode_text(name, data), markdown=suffix != ".txt")]
    docs = [_cleaned(d) for d in docs if d.text.strip()]
    if not docs:
        raise UnsupportedFileError(f"{name}: no text found in the file.")
    return docs


def read_path(path: str | Path, columns: Columns | None = None) -> Iterator[Document | UnsupportedFileError]:
    """Documents of a file, or of every supported file under a folder.

    Yields the error of a bad file in its place, so that one bad file does not
    stop a build over a folder.
    """
    path = Path(path)
    if not path.exists():
        yield UnsupportedFileError(f"{path}: no such file or folder.")
        return
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir() and file.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise UnsupportedFileError(
                    f"{file.name}: {file.stat().st_size / 2**20:.1f} MB is over the "
                    f"{MAX_FILE_BYTES // 2**20} MB limit per file."
                )
            yield from read_upload(file.name, file.read_bytes(), columns)
        except UnsupportedFileError as error:
            yield error
        except OSError as error:
            yield UnsupportedFileError(f"{file.name}: cannot read the file ({error.strerror}).")


def table_columns(name: str, data: bytes) -> list[str]:
    """The header of a .csv/.tsv file, or the keys of a .jsonl file's first record."""
    return _table_sample(name, data, 0)[0]


def column_choices(name: str, data: bytes, sample: int = 200) -> tuple[list[str], Columns]:
    """The columns a table upload offers (``table_columns``) and the ones the
    upload form preselects: a text and a title column by their common names,
    else, for the text, the column whose values are longest on average over
    the first ``sample`` records (an "id" column first in the header is not
    the text). The upload is decoded once: the form asks on every rerun."""
    names, records = _table_sample(name, data, sample)
    text = _named(names, TEXT_COLUMN_GUESSES)
    title = _named(names, TITLE_COLUMN_GUESSES)
    if text is None and names:
        def mean_length(column: str) -> float:
            values = [v for r in records if isinstance(v := r.get(column), str)]
            return sum(map(len, values)) / max(1, len(values))

        text = max(names, key=mean_length)
    return names, Columns(text=text, title=title if title != text else None)


def _table_sample(name: str, data: bytes, sample: int) -> tuple[list[str], list[dict]]:
    """A table upload's column names and its first ``sample`` records."""
    name = safe_name(name)
    text = decode_text(name, data)
    if name.lower().endswith(".jsonl"):
        lines = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()][: max(sample, 1)]
        records = [_json_record(name, n, line) for n, line in lines]
        names = [k for k, v in records[0].items() if isinstance(v, str)] if records else []
        return names, records[:sample]
    delimiter = "\t" if name.lower().endswith(".tsv") else ","
    csv.field_size_limit(MAX_FILE_BYTES)
    try:
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        return list(reader.fieldnames or []), list(itertools.islice(reader, sample))
    except csv.Error as error:
        raise UnsupportedFileError(f"{name}: not a readable {delimiter!r}-separated table ({error}).") from None


def _named(available: list[str], guesses: tuple[str, ...]) -> str | None:
    """The first of ``guesses`` among ``available`` column names, ignoring case and outer spaces."""
    lowered = {c.lower().strip(): c for c in available}
    return next((lowered[g] for g in guesses if g in lowered), None)


def _valid_unicode(text: str) -> str:
    """`text` with lone surrogates (which JSON escapes like "\\ud800" can
    produce, and which SQLite and UTF-8 refuse) replaced by U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


def _cleaned(doc: Document) -> Document:
    title = " ".join(_valid_unicode(doc.title).split())
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1] + "…"
    return Document(title=title or PurePosixPath(doc.source).stem, text=_valid_unicode(doc.text), source=doc.source)


def _read_plain(name: str, text: str, markdown: bool) -> Document:
    title = PurePosixPath(name).stem
    if markdown:
        heading = re.search(r"^#\s+(.+)$", text, flags=re.MULTILINE)
        title = heading.group(1).strip() if heading else title
        text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
        text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their words
    return Document(title=title, text=text.strip(), source=name)


def _pick(name: str, available: list[str], wanted: str | None, guesses: tuple[str, ...], what: str) -> str | None:
    if wanted is not None:
        if wanted not in available:
            raise UnsupportedFileError(
                f"{name}: no {what} column {wanted!r}; the columns are {', '.join(available) or '(none)'}."
            )
        return wanted
    found = _named(available, guesses)
    if found is None and what == "text":
        raise UnsupportedFileError(
            f"{name}: choose the text column; the columns are {', '.join(available) or '(none)'}."
        )
    return found


def _read_table(name: str, text: str, delimiter: str, columns: Columns | None) -> list[Document]:
    columns = columns or Columns()
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [c for c in (reader.fieldnames or []) if c is not None]
        text_col = _pick(name, header, columns.text, TEXT_COLUMN_GUESSES, "text")
        title_col = _pick(name, header, columns.title, TITLE_COLUMN_GUESSES, "title")
        return [_record_document(name, i, row, text_col, title_col) for i, row in enumerate(reader, 1)]
    except csv.Error as error:
        raise UnsupportedFileError(f"{name}: not a readable {delimiter!r}-separated table ({error}).") from None


def _read_jsonl(name: str, text: str, columns: Columns | None) -> list[Document]:
    columns = columns or Columns()
    # Split on "\n" only: str.splitlines() also splits at U+2028 and other
    # separators that JSON strings may hold unescaped.
    records = [_json_record(name, n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    keys = sorted({k for r in records for k, v in r.items() if isinstance(v, str)})
    text_key = _pick(name, keys, columns.text, TEXT_COLUMN_GUESSES, "text")
    title_key = _pick(name, keys, columns.title, TITLE_COLUMN_GUESSES, "title")
    return [_record_document(name, i, r, text_key, title_key) for i, r in enumerate(records, 1)]


def _json_record(name: str, line_number: int, line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise UnsupportedFileError(f"{name}: line {line_number} is not valid JSON ({error.msg}).") from None
    except RecursionError:
        raise UnsupportedFileError(f"{name}: line {line_number} is nested too deeply to read.") from None
    if not isinstance(record, dict):
        raise UnsupportedFileError(f"{name}: line {line_number} is not a JSON object.")
    return record


def _record_document(name: str, number: int, record: dict, text_key: str, title_key: str | None) -> Document:
    text = record.get(text_key)
    title = record.get(title_key) if title_key else None
    text = text if isinstance(text, str) else ""
    title = title.strip() if isinstance(title, str) and title.strip() else f"{PurePosixPath(name).stem} #{number}"
    return Document(title=title, text=text.strip(), source=name)


def _read_pdf(name: str, data: bytes) -> list[Document]:
    title, pages = read_pdf_text(name, data)
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise UnsupportedFileError(
            f"{name}: the PDF has no text layer (a scanned image?); run OCR on it first."
        )
    return [Document(title=(title or "").strip() or PurePosixPath(name).stem, text=text, source=name)]
