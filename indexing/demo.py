"""The built-in demo corpus, from text that ships inside the gensim package:
the 300 news stories of `lee_background.cor` and the Wikipedia articles of a
shortened dump excerpt (redirects and stubs dropped). Nothing is downloaded.
"""
from __future__ import annotations

import bz2
import re
from collections.abc import Iterator

from gensim.corpora.wikicorpus import extract_pages, filter_wiki
from gensim.test.utils import datapath

from indexing.documents import Document

LEE_FILE = "lee_background.cor"
WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
MIN_ARTICLE_WORDS = 50  # shorter pages are disambiguation or stub pages


class DemoCorpus:
    """Iterable over the demo documents; each pass re-reads the files."""

    def __iter__(self) -> Iterator[Document]:
        yield from lee_stories()
        yield from wikipedia_articles()


def lee_stories() -> Iterator[Document]:
    for number, text in lee_lines():
        yield Document(title=_headline(text, number), text=text, source=LEE_FILE)


def wikipedia_articles() -> Iterator[Document]:
    for title, markup in wiki_pages():
        text = clean_wiki_prose(markup)
        if len(text.split()) >= MIN_ARTICLE_WORDS:
            yield Document(title=title, text=text, source="Wikipedia (gensim test data)")


def lee_lines() -> Iterator[tuple[int, str]]:
    """The Lee stories as they are stored, one a line: (line number, text),
    blank lines skipped. The one reader of the file (the demo, the biLM's
    training text)."""
    with open(datapath(LEE_FILE), encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield number, line.strip()


def wiki_pages() -> Iterator[tuple[str, str]]:
    """(title, wiki markup) of each article of gensim's Wikipedia sample,
    redirects skipped. The one reader of the dump."""
    with bz2.open(datapath(WIKI_FILE)) as dump:
        for title, markup, _page_id in extract_pages(dump, filter_namespaces=("0",)):
            if not markup.lstrip().lower().startswith("#redirect"):
                yield title, markup


def clean_wiki_prose(markup: str) -> str:
    """Readable prose from wiki markup: links, templates and tables go, the
    punctuation stays; section headings become paragraphs of their own."""
    text = filter_wiki(markup)
    text = re.sub(r"'{2,}", "", text)  # bold and italics
    text = re.sub(r"^\s*(=+)\s*(.*?)\s*\1\s*$", r"\2", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*[*#:;]+\s*", "", text, flags=re.MULTILINE)  # list markers
    text = re.sub(r"^\s*\|.*$", "", text, flags=re.MULTILINE)  # leftover table rows
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _headline(text: str, number: int) -> str:
    """Lee stories have no titles: use the opening words of the first sentence."""
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    head = " ".join(first.split()[:9])
    return f"News {number}: {head}{'…' if len(first.split()) > 9 else ''}"
