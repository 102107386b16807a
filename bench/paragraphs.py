"""Real text for the growth benchmark: paragraphs from the corpora in the
benchmark data folder, duplicates removed, shuffled with a fixed seed, so
that every collection size is a mix of all sources.

Sources: Project Gutenberg selections (paragraphs; ones over 300 words cut
into 200-word pieces), Brown (3 sentences a paragraph, tags dropped),
WikiText-2 valid+test (paragraph lines), CISI and NFCorpus documents, and the
sentences of CoarseWSD-20 and the Wikipedia homograph data (Wikipedia
sentences, used whole as short documents to reach 100,000).
"""
from __future__ import annotations

import csv
import random
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench.datasets import data_root, load_cisi, load_nfcorpus
from indexing.documents import Document
from indexing.store import content_hash

SEED = 7
MIN_WORDS = 5
LONG_WORDS, PIECE_WORDS = 300, 200
BROWN_SENTENCES = 3


def _pieces(text: str) -> Iterator[str]:
    tokens = text.split()
    if len(tokens) <= LONG_WORDS:
        yield " ".join(tokens)
        return
    for start in range(0, len(tokens), PIECE_WORDS):
        yield " ".join(tokens[start : start + PIECE_WORDS])


def gutenberg(root: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(root / "gutenberg_nltk" / "gutenberg.zip") as archive:
        for name in sorted(n for n in archive.namelist() if n.endswith(".txt")):
            text = archive.read(name).decode("latin-1")
            for paragraph in re.split(r"\n\s*\n", text):
                for piece in _pieces(paragraph):
                    yield "gutenberg", piece


def brown(root: Path) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(root / "brown_nltk" / "brown.zip") as archive:
        for name in sorted(n for n in archive.namelist() if re.fullmatch(r"brown/c[a-r]\d\d", n)):
            sentences = [" ".join(token.rsplit("/", 1)[0] for token in line.split())
                         for line in archive.read(name).decode("latin-1").splitlines() if line.strip()]
            for start in range(0, len(sentences), BROWN_SENTENCES):
                yield "brown", " ".join(sentences[start : start + BROWN_SENTENCES])


def wikitext(root: Path) -> Iterator[tuple[str, str]]:
    for split in ("valid.txt", "test.txt"):
        for line in (root / "wikitext2_valid_test" / split).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.strip().startswith("="):
                yield "wikitext2", line.strip()


def collections_docs(root: Path) -> Iterator[tuple[str, str]]:
    for collection in (load_cisi(root), load_nfcorpus(root)):
        for _title, text in collection.documents.values():
            yield collection.name, text


def wiki_sentences(root: Path) -> Iterator[tuple[str, str]]:
    for path in sorted((root / "coarsewsd20" / "CoarseWSD-20").glob("*/*.data.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            yield "coarsewsd20", line.split("\t", 1)[-1]
    for path in sorted((root / "wikipedia_homograph_data").glob("*/*.tsv")):
        if path.name == "wordids.tsv":
            continue
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                yield "wikipedia_homograph", row["sentence"]


SOURCES = (gutenberg, brown, wikitext, collections_docs, wiki_sentences)


def paragraph_pool(root: Path | None = None) -> list[tuple[str, str]]:
    """Every usable (source, text), without duplicates, in a fixed shuffled order."""
    root = root or data_root()
    seen: set[str] = set()
    pool = []
    for source in SOURCES:
        for name, text in source(root):
            if len(text.split()) < MIN_WORDS:
                continue
            digest = content_hash(text)
            if digest not in seen:
                seen.add(digest)
                pool.append((name, text))
    random.Random(SEED).shuffle(pool)
    return pool


def paragraphs(n: int, root: Path | None = None) -> tuple[list[Document], dict[str, int]]:
    """The first `n` paragraphs of the pool as Documents (fewer if the pool
    is smaller) and how many came from each source."""
    chosen = paragraph_pool(root)[:n]
    documents = [Document(f"{name} #{i}", text, name) for i, (name, text) in enumerate(chosen)]
    return documents, dict(Counter(name for name, _ in chosen))
