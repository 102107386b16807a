"""Command line: `python -m search "QUERY" [--method hybrid|bm25|dm|dbow|elmo|senses] [--k N]
[--layer-weights W0,W1,W2] [--meaning WORD=SENSE ...] [--meanings] [--json] [--data-dir DIR]`.
With a sense inventory in the index, each hit's highlights say how the
words met (same sense, other sense, related), in text and in JSON;
``--meanings`` lists the query's ambiguous words, their senses and how the
page reads them, and ``--meaning bank="sloping land"`` says which sense you
mean (search/meanings.py)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads; see indexing/elmo/encoder.py

from indexing.errors import SenseSearchError
from indexing.index import Index
from indexing.methods import METHODS
from search.engine import HYBRID, SearchEngine
from search.hybrid import HYBRID_CONFIG, run_label
from search.meanings import QueryMeaning, meaning_dict
from search.render import excerpt, other_uses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search", description="Search a SenseSearch index.")
    parser.add_argument("query")
    parser.add_argument("--method", default=HYBRID, choices=[HYBRID, *sorted(METHODS)],
                        help=f"hybrid (the default: {HYBRID_CONFIG.label}, fused), bm25 (keywords), or one method")
    parser.add_argument("--k", type=int, default=10, help="number of results (1-100)")
    parser.add_argument("--layer-weights", type=_weights, default=None,
                        help="ELMo's layer weights, e.g. 0,1,1 (normalised to sum to 1)")
    parser.add_argument("--meaning", action="append", type=_meaning, default=[], metavar="WORD=SENSE",
                        help='the sense you mean by a word of the query, e.g. bank="sloping land" (repeatable; '
                             "--meanings lists them)")
    parser.add_argument("--meanings", action="store_true",
                        help="list the query's words of several senses, their senses and how they are read; no search")
    parser.add_argument("--json", action="store_true", help="print one JSON array of hits")
    parser.add_argument("--data-dir", help="data directory (default: $SENSESEARCH_DATA_DIR or ./data)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    meanings = dict(args.meaning)
    try:
        engine = SearchEngine(Index.open(args.data_dir))
        if args.meanings:
            return _print_meanings(engine.query_meanings(args.query, meanings), args.json)
        hits = engine.search(args.query, args.method, args.k, layer_weights=args.layer_weights, meanings=meanings)
    except SenseSearchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return 0
    for hit in hits:
        found_by = ("  (" + ", ".join(f"{run_label(run)} #{rank}" for run, rank in hit.ranks.items()) + ")"
                    if hit.ranks else "")
        print(f"{hit.rank:>3}. {hit.score:.3f}  {hit.title}  [doc {hit.doc_id}]{found_by}")
        if hit.moved:
            print(f"       ({hit.moved})")
        if hit.passage:
            print(f"       {' '.join(excerpt(hit.passage, 200).split())[:200]}")  # from before its first match
            for h in hit.passage.highlights:
                chosen = " (your choice)" if h.query_chosen else ""
                senses = f"  [{h.query_sense or h.query_word}{chosen} | {h.doc_sense or h.word}]" if h.doc_sense else ""
                if h.document_uses:
                    senses += f" (read with {other_uses(h.document_uses)} here)"
                literal = ", keyword match" if h.literal and h.kind != "term" else ""
                print(f"         {h.query_word} -> {h.word}: {h.kind}{literal}, {h.similarity:.2f}{senses}")
    if not hits:
        print("no results")
    return 0


def _print_meanings(meanings: list[QueryMeaning], as_json: bool) -> int:
    """The query's words of several senses, as JSON or one block each."""
    if as_json:
        print(json.dumps([meaning_dict(m) for m in meanings], ensure_ascii=False, indent=2))
        return 0
    for meaning in meanings:
        unread = "not read (too little around it); say which sense with --meaning"
        read = (f"read as {meaning.read.label} (margin {meaning.confidence:.2f})" if meaning.read else
                "sense unclear" if meaning.confidence is not None else unread)
        chosen = f"; you chose: {meaning.chosen.label}" if meaning.chosen else ""
        print(f"{meaning.word}: {read}{chosen}")
        for sense in meaning.senses:
            print(f"  {sense.label!r} ({sense.pos}): {sense.definition}")
    if not meanings:
        print("no word of the query has several senses in the dictionary")
    return 0


def _meaning(text: str) -> tuple[str, str]:
    word, equals, sense = text.partition("=")
    if not equals or not word.strip() or not sense.strip():
        raise argparse.ArgumentTypeError(f'expected WORD=SENSE, e.g. bank="sloping land", not {text!r}')
    return word.strip(), sense.strip()


def _weights(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, not {text!r}") from None


if __name__ == "__main__":
    sys.exit(main())
