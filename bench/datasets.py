"""Standard test collections for the quality benchmark, read from
/work/shared/data (or $SENSESEARCH_SHARED_DATA): documents, queries and
relevance judgments, plus a fixed dev/test split of the judged queries.

- CISI (Glasgow distribution): 1,460 abstracts; 112 queries, of which only
  the 76 with judgments are used. A document is its title and abstract
  (`.T` + `.W`); a query is its `.W` text. Relevance is binary.
- NFCorpus (Boteva et al., ECIR 2016), original test split: 3,162 documents
  that the authors preprocessed (lowercased, stop words removed, numbers as
  "num"); the short `test.titles.queries` with the graded `test.2-1-0.qrel`
  judgments that the authors' README says "were used for the experiments"
  (323 queries judged).
"""
from __future__ import annotations

import csv
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from indexing.store import content_hash

# The variable the training text's sources read too (indexing.elmo.sources.SHARED_DATA_ENV, which imports
# torch: not imported here); tests/bench/test_datasets.py holds the two equal.
DATA_ENV = "SENSESEARCH_SHARED_DATA"
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"  # ../shared/data beside the checkout
SPLIT_SEED = 2024  # fixed: the same queries are dev and test in every run


def data_root() -> Path:
    root = Path(os.environ.get(DATA_ENV) or DEFAULT_DATA)
    if not root.is_dir():
        raise FileNotFoundError(f"benchmark data folder {root} not found; set ${DATA_ENV}")
    return root


@dataclass(frozen=True)
class TestCollection:
    """Documents (id -> (title, text)), queries (id -> text) and judgments
    (query id -> document id -> grade, grade > 0 relevant)."""

    __test__ = False  # not a pytest class, despite the name

    name: str
    documents: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]

    def judged_queries(self) -> list[str]:
        return sorted(q for q in self.queries if any(g > 0 for g in self.qrels.get(q, {}).values()))

    def unique_documents(self) -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
        """Documents with duplicate texts folded into the first of them (the
        store refuses duplicates, so every method indexes this same set), and
        for each kept id the ids sharing its text, itself first."""
        kept: dict[str, tuple[str, str]] = {}
        members: dict[str, list[str]] = {}
        first_of: dict[str, str] = {}
        for doc_id, (title, text) in self.documents.items():
            digest = content_hash(text)
            if digest in first_of:
                members[first_of[digest]].append(doc_id)
                continue
            first_of[digest] = doc_id
            kept[doc_id] = (title, text)
            members[doc_id] = [doc_id]
        return kept, members


@dataclass(frozen=True)
class CoarseWord:
    """One CoarseWSD-20 word's split (Loureiro et al., 2021; non-commercial:
    evaluation only): its sense names, and each instance as (the target's
    token position, the tokenised sentence, its gold sense name), in file order."""

    word: str
    senses: list[str]
    items: list[tuple[int, str, str]]


def coarse_wsd(split: str) -> list[CoarseWord]:
    """CoarseWSD-20's ``split`` ("train" or "test"), its words in alphabetical order."""
    found = []
    for directory in sorted((data_root() / "coarsewsd20" / "CoarseWSD-20").glob("*/")):
        classes = json.loads((directory / "classes_map.txt").read_text())
        lines = (directory / f"{split}.data.txt").read_text().splitlines()
        labels = (directory / f"{split}.gold.txt").read_text().split()
        items = [(int(position), sentence, classes[label])
                 for (position, sentence), label in zip((line.split("\t", 1) for line in lines), labels)]
        found.append(CoarseWord(directory.name, list(classes.values()), items))
    return found


def split_queries(query_ids: list[str], seed: int = SPLIT_SEED) -> tuple[list[str], list[str]]:
    """(dev, test): the judged queries shuffled with a fixed seed and halved."""
    shuffled = sorted(query_ids)
    random.Random(seed).shuffle(shuffled)
    half = len(shuffled) // 2
    return sorted(shuffled[:half]), sorted(shuffled[half:])


def _smart_records(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Records of a SMART/Glasgow file: (id, {field letter: text})."""
    records: list[tuple[str, dict[str, str]]] = []
    field = None
    for line in path.read_text(encoding="latin-1").splitlines():
        head = re.match(r"^\.([A-Z])(?:\s+(\S+))?\s*$", line)
        if head and head.group(1) == "I":
            records.append((head.group(2), {}))
            field = None
        elif head:
            field = head.group(1)
            records[-1][1].setdefault(field, "")
        elif field and records:
            records[-1][1][field] += line + "\n"
    return records


def load_cisi(root: Path | None = None) -> TestCollection:
    folder = (root or data_root()) / "cisi"
    documents = {}
    for doc_id, fields in _smart_records(folder / "CISI.ALL"):
        title = " ".join(fields.get("T", "").split())
        abstract = " ".join(fields.get("W", "").split())
        documents[doc_id] = (title, f"{title}\n\n{abstract}".strip())
    queries = {qid: " ".join(fields.get("W", "").split()) for qid, fields in _smart_records(folder / "CISI.QRY")}
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "CISI.REL").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2:
            qrels.setdefault(parts[0], {})[parts[1]] = 1
    return TestCollection("cisi", documents, queries, qrels)


def _tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def load_nfcorpus(root: Path | None = None) -> TestCollection:
    folder = (root or data_root()) / "nfcorpus_test"
    documents = {row[0]: (row[0], row[1]) for row in _tsv(folder / "test.docs")}
    queries = {row[0]: row[1] for row in _tsv(folder / "test.titles.queries")}
    qrels: dict[str, dict[str, int]] = {}
    for qid, _zero, doc_id, grade in _tsv(folder / "test.2-1-0.qrel"):
        qrels.setdefault(qid, {})[doc_id] = int(grade)
    return TestCollection("nfcorpus", documents, queries, qrels)


LOADERS = {"cisi": load_cisi, "nfcorpus": load_nfcorpus}


def load_collection(name: str) -> TestCollection:
    if name not in LOADERS:
        raise ValueError(f"unknown collection {name!r}; valid ones are {', '.join(LOADERS)}")
    return LOADERS[name]()
