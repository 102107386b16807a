"""Shared fixtures: the tiny corpus of tests/data/corpus (33 short documents
in .txt, .md, .jsonl and .csv, with planted homonyms: river bank / bank loan,
bass guitar / bass fishing, crane bird / tower crane, field mouse / computer
mouse) and one index built over it once per session with tiny Doc2Vec configs.

Tests that change an index work on a copy (`index_copy`), never on the
session index.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from indexing.doc2vec import DBOW_CONFIG, DM_CONFIG, Doc2VecConfig
from indexing.documents import Document
from indexing.backup import copy_data_dir
from indexing.index import Index
from indexing.ingest import read_path
from indexing.elmo_method import ElmoMethodConfig
from indexing.bm25 import BM25Config
from indexing.methods import DEFAULT_METHODS
from indexing.senses.method import SensesConfig
from search.engine import SearchEngine

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
CORPUS_SIZE = 33  # 24 .txt + 1 .md + 4 .jsonl records + 4 .csv rows

# 16 dims, 40 epochs, one worker: about a second to train, and repeatable
# (more than one worker makes gensim's training order, so the vectors, vary).
# sample=0: the corpus has ~2,000 words, and the default downsampling
# threshold (1e-4) would throw away nearly every occurrence of every word.
# inferred_shrink=0: these models know ~280 words, so an upload would be
# scaled far down and no longer meet its own text first, which the tests of
# ids and vectors (delete, re-add, reconcile) rely on; the scaling has its
# own tests (test_doc2vec.py) and benchmark (`python -m bench pollution`).
_TINY = dict(vector_size=16, epochs=40, sample=0.0, workers=1, infer_epochs=40, inferred_shrink=0.0)
# ELMo runs the shipped biLM as it is (the corpus encodes in about a second);
# senses: the planted homonyms occur 6-12 times, so they need a lower bar.
TINY_CONFIGS: dict[str, object] = {
    "dm": replace(DM_CONFIG, **_TINY),
    "dbow": replace(DBOW_CONFIG, **_TINY),
    "elmo": ElmoMethodConfig(mean_sample=500),
    "senses": SensesConfig(min_count=5, per_word=60),
    "bm25": BM25Config(),  # nothing to shrink: BM25 trains nothing
}


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def tiny_configs() -> dict[str, Doc2VecConfig]:
    return TINY_CONFIGS


@pytest.fixture(scope="session")
def corpus_documents() -> list[Document]:
    found = list(read_path(CORPUS))
    errors = [str(item) for item in found if not isinstance(item, Document)]
    assert not errors, errors
    assert len(found) == CORPUS_SIZE
    return found


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, corpus_documents: list[Document]) -> Index:
    """The Index object that built the session index (models still in memory)."""
    untiny = set(DEFAULT_METHODS) - set(TINY_CONFIGS)
    assert not untiny, f"add a tiny config for {', '.join(sorted(untiny))} to TINY_CONFIGS in tests/conftest.py"
    index = Index(tmp_path_factory.mktemp("session-index"))
    report = index.build(corpus_documents, configs=TINY_CONFIGS)
    assert len(report.added) == CORPUS_SIZE and not report.errors
    return index


@pytest.fixture(scope="session")
def index(built_index: Index) -> Index:
    """The session index as a reader sees it: loaded back from disk. Read only."""
    return Index.open(built_index.directory)


@pytest.fixture(scope="session")
def engine(index: Index) -> SearchEngine:
    return SearchEngine(index)


@pytest.fixture
def copy_index(built_index: Index) -> Callable[[Path], Path]:
    """Copy the session index's data directory to `target`; returns `target`.
    The store is copied with SQLite's backup API, so no WAL frame is lost."""

    def copy(target: Path) -> Path:
        return copy_data_dir(built_index.directory, target)

    return copy


@pytest.fixture
def index_copy(copy_index: Callable[[Path], Path], tmp_path: Path) -> Index:
    """A private, opened copy of the session index that a test may change."""
    return Index.open(copy_index(tmp_path / "data"))


@pytest.fixture(scope="session")
def make_pdf() -> Callable[..., bytes]:
    """A function that writes a minimal valid PDF by hand (pypdf cannot
    write a text layer): one page per string in `pages`, each line a text
    object in Helvetica (or, when the text holds characters beyond Latin-1,
    such as Korean, in a CID font whose ToUnicode map is how a PDF reader
    gets the text back, as in PDFs made by word processors); a page given
    as None holds only a filled rectangle, i.e. no text layer, like a scan."""

    def make(pages: list[str | None], title: str | None = None) -> bytes:
        objects = ["<< /Type /Catalog /Pages 2 0 R >>", None]  # pages object filled in below
        font = 3
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        cids = _cid_font(objects, sorted({c for page in pages if page for c in page if c != "\n"}))
        kids = []
        for page in pages:
            if page is None:
                content = "0.2 0.2 0.2 rg 72 500 300 200 re f"
            elif cids:
                lines = ["<" + "".join(f"{cids[c]:04X}" for c in line) + ">" for line in page.split("\n")]
                content = "BT /F1 12 Tf 14 TL 72 720 Td " + " T* ".join(f"{line} Tj" for line in lines) + " ET"
            else:
                lines = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                         for line in page.split("\n")]
                content = "BT /F1 12 Tf 14 TL 72 720 Td " + " T* ".join(f"({line}) Tj" for line in lines) + " ET"
            objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
            contents = len(objects)
            objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {contents} 0 R "
                           f"/Resources << /Font << /F1 {font} 0 R >> >> >>")
            kids.append(f"{len(objects)} 0 R")
        objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
        info = ""
        if title is not None:
            objects.append(f"<< /Title ({title}) >>")
            info = f" /Info {len(objects)} 0 R"
        out = bytearray(b"%PDF-1.4\n")
        offsets = []
        for number, body in enumerate(objects, 1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
        out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)

    return make


def _cid_font(objects: list, chars: list[str]) -> dict[str, int]:
    """For text beyond Latin-1: replace the font (object 3) with a Type0 CID
    font whose ToUnicode map gives character `i` for CID `i + 1`, appending
    the objects it needs; returns char -> CID ({} when Latin-1 does)."""
    if all(ord(c) < 256 for c in chars):
        return {}
    cids = {c: i + 1 for i, c in enumerate(chars)}
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <0000> <FFFF> endcodespacerange "
            f"{len(chars)} beginbfchar " + " ".join(f"<{cid:04X}> <{ord(c):04X}>" for c, cid in cids.items())
            + " endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    objects.append(f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream")
    to_unicode = len(objects)
    objects.append("<< /Type /FontDescriptor /FontName /TestCID /Flags 4 /FontBBox [0 -200 1000 900] "
                   "/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>")
    objects.append("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestCID /CIDSystemInfo << /Registry (Adobe) "
                   f"/Ordering (Identity) /Supplement 0 >> /FontDescriptor {len(objects)} 0 R /DW 1000 >>")
    objects[2] = (f"<< /Type /Font /Subtype /Type0 /BaseFont /TestCID /Encoding /Identity-H "
                  f"/DescendantFonts [{len(objects)} 0 R] /ToUnicode {to_unicode} 0 R >>")
    return cids
