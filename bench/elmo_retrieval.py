"""Our biLM alone as a retriever, for choosing among trained models on dev
queries: ``python -m bench elmo-retrieval --models DIR ... [--split dev]``.

Consumes model directories (``ElmoEncoder.load``; a distilled model has a
sentence head) and the CISI and NFCorpus collections (``bench.datasets``);
produces nDCG@10 per model, collection and pooling, printed and saved to
bench/results/elmo_retrieval.json:

- ``doc-mean``: one vector per document, the head of the mean mixed vector
  of all its tokens (a plain biLM: the mean mixed vector itself, centred on
  the collection's mean);
- ``sent-max``: one vector per sentence, as the product's ELMo column
  indexes, a document scoring by its best sentence.

Queries are encoded as one sentence. Sentences are our tokenizer's, cut at
120 tokens.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from bench.datasets import load_collection, split_queries
from bench.runs import score
from indexing.linalg import unit_rows
from indexing.elmo.tokenizer import tokenize_sentences

logger = logging.getLogger(__name__)

RESULTS = Path(__file__).resolve().parent / "results" / "elmo_retrieval.json"
MAX_TOKENS = 120
POOLINGS = ("doc-mean", "sent-max")


def _sentence_means(encoder, sentences: list[list[str]]) -> np.ndarray:
    """Mean mixed vector and token count of each sentence: ``(n, dim)``, ``(n,)``."""
    from tqdm import tqdm

    with tqdm(total=len(sentences), desc="encoding", unit="sent", dynamic_ncols=True) as bar:
        mixed = encoder.encode_tokens(sentences, on_progress=lambda done, _t: bar.update(done - bar.n))
    return np.stack([m.mean(axis=0) for m in mixed]), np.array([len(s) for s in sentences], dtype=np.float32)


def _project(encoder, pooled: np.ndarray, centre: np.ndarray | None) -> np.ndarray:
    if encoder.sentence_head is not None:
        return unit_rows(encoder.head(pooled))
    return unit_rows(pooled - centre)


def evaluate_model(model_dir: Path, collection_name: str, split: str) -> dict[str, float]:
    from indexing.elmo.encoder import ElmoEncoder

    encoder = ElmoEncoder.load(model_dir)
    collection = load_collection(collection_name)
    documents, _members = collection.unique_documents()
    doc_ids = list(documents)
    sentences, owner = [], []
    for row, doc_id in enumerate(doc_ids):
        for sentence in tokenize_sentences(documents[doc_id][1]) or [["."]]:
            sentences.append(sentence[:MAX_TOKENS])
            owner.append(row)
    owner = np.array(owner)
    means, counts = _sentence_means(encoder, sentences)
    doc_sums = np.zeros((len(doc_ids), means.shape[1]), dtype=np.float32)
    np.add.at(doc_sums, owner, means * counts[:, None])
    doc_pooled = doc_sums / np.bincount(owner, weights=counts, minlength=len(doc_ids))[:, None]
    centre = doc_pooled.mean(axis=0)
    dev, test = split_queries(collection.judged_queries())
    qids = dev if split == "dev" else test
    query_tokens = [[t for s in tokenize_sentences(collection.queries[q]) for t in s][:MAX_TOKENS] or ["."]
                    for q in qids]
    query_means, _ = _sentence_means(encoder, query_tokens)
    queries = _project(encoder, query_means, centre)
    docs = _project(encoder, doc_pooled, centre)
    sents = _project(encoder, means, centre)
    figures = {}
    for pooling in POOLINGS:
        if pooling == "doc-mean":
            scores = queries @ docs.T  # (q, docs)
        else:
            per_sentence = queries @ sents.T
            scores = np.full((len(qids), len(doc_ids)), -np.inf, dtype=np.float32)
            for q in range(len(qids)):
                np.maximum.at(scores[q], owner, per_sentence[q])
        run = {}
        for q, qid in enumerate(qids):
            top = np.argsort(-scores[q])[:100]
            run[qid] = {doc_ids[i]: float(scores[q, i]) for i in top}
        figures[pooling] = score(collection, run, qids)["ndcg@10"]
    return figures


def run(models: list[Path], collections: list[str], split: str) -> dict:
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    for model in models:
        for name in collections:
            figures = evaluate_model(model, name, split)
            key = f"{model.name}|{name}|{split}"
            results[key] = figures
            print(json.dumps({"model": str(model), "collection": name, "split": split, **figures}), flush=True)
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True))
    return results
