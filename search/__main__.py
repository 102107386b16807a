"""Command line: `python -m search "QUERY" [--method dm|dbow] [--k N] [--json] [--data-dir DIR]`."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from indexing.errors import SenseSearchError
from indexing.index import Index
from indexing.methods import METHODS
from search.engine import SearchEngine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search", description="Search a SenseSearch index.")
    parser.add_argument("query")
    parser.add_argument("--method", default="dbow", choices=sorted(METHODS))
    parser.add_argument("--k", type=int, default=10, help="number of results (1-100)")
    parser.add_argument("--json", action="store_true", help="print one JSON array of hits")
    parser.add_argument("--data-dir", help="data directory (default: $SENSESEARCH_DATA_DIR or ./data)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        hits = SearchEngine(Index.open(args.data_dir)).search(args.query, args.method, args.k)
    except SenseSearchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([hit.to_dict() for hit in hits], ensure_ascii=False, indent=2))
        return 0
    for hit in hits:
        print(f"{hit.rank:>3}. {hit.score:.3f}  {hit.title}  [doc {hit.doc_id}]")
        if hit.passage:
            print(f"       {' '.join(hit.passage.text.split())[:200]}")
    if not hits:
        print("no results")
    return 0


if __name__ == "__main__":
    sys.exit(main())
