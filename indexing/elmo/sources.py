"""Licensable English text for training our biLM (Peters et al., 2018 trained on
the 1B Word Benchmark; we cannot ship that, so we use public-domain and
openly licensed text).

Each function yields paragraphs of plain text:

- ``gutenberg_paragraphs``: NLTK's Project Gutenberg selection (public domain);
- ``wikitext_paragraphs``: WikiText-2 valid/test (CC BY-SA), with the ``@-@``-style
  splits undone and the `` = Heading = `` lines dropped; ``<unk>`` is kept;
- ``lee_paragraphs`` and ``wiki_dump_paragraphs``: gensim's test data (the Lee
  news corpus and a shortened English Wikipedia dump, markup stripped);
- ``wordnet_paragraphs``: WordNet 3.0's definitions and example sentences, one
  paragraph per synset ("bank, cant, camber: a slope in the turn of a road or
  track ..."), from Debian's ``wordnet-base`` (WordNet licence: permissive,
  notice kept in ``indexing/senses/data/WORDNET_LICENSE``). 1.7M words that
  name and define 117k meanings: the vocabulary breadth a teacher can speak to.

Not for training: Brown, WiC, CoarseWSD and NFCorpus (non-commercial or evaluation
data). WikiText-2 test is kept as the held-out perplexity set.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterator
import os
from pathlib import Path

from indexing.elmo.tokenizer import split_paragraphs

logger = logging.getLogger(__name__)

# Third-party text beside the checkout (../shared/data); training and the
# benchmarks only, never needed by the product. $SENSESEARCH_SHARED_DATA points
# elsewhere, for both (bench/datasets.py reads the same variable).
SHARED_DATA_ENV = "SENSESEARCH_SHARED_DATA"
DEFAULT_SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SHARED_DATA = Path(os.environ.get(SHARED_DATA_ENV) or DEFAULT_SHARED_DATA)
GUTENBERG_ZIP = SHARED_DATA / "gutenberg_nltk" / "gutenberg.zip"
WIKITEXT_VALID = SHARED_DATA / "wikitext2_valid_test" / "valid.txt"
WIKITEXT_TEST = SHARED_DATA / "wikitext2_valid_test" / "test.txt"

_WIKITEXT_SPLIT = re.compile(r" @([-,.])@ ")
_WIKITEXT_HEADING = re.compile(r"^\s*=.*=\s*$")
_BIBLE_VERSE = re.compile(r"^\d+:\d+\s+")  # "23:25 Ye shall do no servile work ..."


def gutenberg_paragraphs(zip_path: str | Path = GUTENBERG_ZIP) -> Iterator[str]:
    with zipfile.ZipFile(zip_path) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith(".txt"):
                for paragraph in split_paragraphs(archive.read(name).decode("utf-8", "replace")):
                    yield _BIBLE_VERSE.sub("", paragraph)


def wikitext_paragraphs(path: str | Path = WIKITEXT_VALID) -> Iterator[str]:
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not _WIKITEXT_HEADING.match(line):
            yield _WIKITEXT_SPLIT.sub(r"\1", line).strip()


def lee_paragraphs() -> Iterator[str]:
    from indexing.demo import lee_lines

    yield from (text for _number, text in lee_lines())


def wiki_dump_paragraphs(min_chars: int = 200) -> Iterator[str]:
    from gensim.corpora.wikicorpus import filter_wiki

    from indexing.demo import wiki_pages

    for _title, markup in wiki_pages():
        # filter_wiki leaves the bold/italic quote marks in place.
        for paragraph in split_paragraphs(filter_wiki(markup).replace("'''", "").replace("''", "")):
            # Drop list items, table debris and captions: keep prose.
            if len(paragraph) >= min_chars and not paragraph.startswith(("*", "|", "{", "!")):
                yield paragraph


WORDNET_DIR = Path(os.environ.get("SENSESEARCH_WORDNET", "/usr/share/wordnet"))


def wordnet_paragraphs(directory: str | Path = WORDNET_DIR) -> Iterator[str]:
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (Path(directory) / f"data.{pos}").open(encoding="latin-1"):
            if line.startswith("  ") or " | " not in line:
                continue  # the licence header
            fields, gloss = line.split(" | ", 1)
            parts = fields.split()
            n_words = int(parts[3], 16)
            lemmas = [w.split("(")[0].replace("_", " ") for w in parts[4 : 4 + 2 * n_words : 2]]
            yield f"{', '.join(dict.fromkeys(lemmas))}: {gloss.strip()}"


TRAINING_SOURCES = {
    "gutenberg": gutenberg_paragraphs,
    "wikitext2-valid": wikitext_paragraphs,
    "lee": lee_paragraphs,
    "wiki-dump": wiki_dump_paragraphs,
    "wordnet": wordnet_paragraphs,
}
