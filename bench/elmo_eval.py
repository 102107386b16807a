"""How well our ELMo biLM (Peters et al., 2018) separates word senses, and how
fast it encodes: ``python -m bench elmo``.

Consumes a saved encoder directory (``ElmoEncoder.load``) and the shared data
(``indexing.elmo.sources.SHARED_DATA``); produces plain dicts of figures, saved
as bench/results/elmo.json and elmo.md:

- WiC (Pilehvar & Camacho-Collados, 2019): cosine of the target word's vectors
  in the two sentences, one threshold per vector kind chosen for accuracy on
  train; accuracy on train, dev and test. Published ELMo 57.7, chance 50.
- Wikipedia Homograph Data (Gorman et al., 2018): per homograph, one centroid
  per wordid from the train sentences; 1-nearest-centroid accuracy on eval,
  beside the most frequent wordid of train; macro (per word) and micro.
- Encoding throughput on WikiText-2 test sentences, batched and one at a time,
  1 and 2 torch threads (medians of 3 runs).
- Held-out perplexity from the training run's metrics.json (the shipped model
  has no softmax, so it cannot be measured here).

Vector kinds (``VIEWS``): layer 0 (char CNN, context-free), layers 1 and 2
(biLSTM), and plain averages of layers. Helpers here (``Occurrence``,
``encode_targets``, ``nearest_centroid``) are shared with ``bench.senses_eval``.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import NamedTuple

# Before torch loads OpenMP: spinning waits made 2 threads ~10x slower on a
# 2-core box shared with a training job (see indexing/elmo/encoder.py).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

from bench import report  # noqa: E402
from indexing.elmo.sources import SHARED_DATA, WIKITEXT_TEST, wikitext_paragraphs  # noqa: E402
from indexing.elmo.tokenizer import tokenize_sentences  # noqa: E402
from indexing.text import tokenize  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "indexing" / "elmo" / "model"  # the shipped biLM
WINDOW = 120  # tokens kept around the target of a longer sentence
ENCODE_CHUNK = 1024  # sentences per encode call: bounds the memory of the full layer arrays
WIC = SHARED_DATA / "wic"
HOMOGRAPHS = SHARED_DATA / "wikipedia_homograph_data"
PUBLISHED_WIC = {"ELMo (Pilehvar & Camacho-Collados, 2019)": 57.7, "chance": 50.0}
SPEED_SENTENCES = 2000
SINGLE_SENTENCES = 500  # one-at-a-time runs take ~3x longer per token: a subset
SPEED_RUNS = 3
SPEED_THREADS = (1, 2)

# Target vectors are (n, 3, dim): layer 0 = char CNN, 1 and 2 = biLSTM layers.
VIEWS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "0": lambda t: t[:, 0],
    "1": lambda t: t[:, 1],
    "2": lambda t: t[:, 2],
    "0+1+2": lambda t: t.mean(axis=1),
    "1+2": lambda t: t[:, 1:].mean(axis=1),
}
VIEW_NAMES = {"0": "layer 0 (char CNN)", "1": "layer 1", "2": "layer 2",
              "0+1+2": "mean of layers 0-2", "1+2": "mean of layers 1-2"}


class Occurrence(NamedTuple):
    tokens: list[str]
    index: int  # of the target token


def window(tokens: list[str], index: int, size: int = WINDOW) -> Occurrence:
    """At most ``size`` tokens around ``index``, the target kept near the middle."""
    if not 0 <= index < len(tokens):
        raise ValueError(f"target index {index} outside a sentence of {len(tokens)} tokens")
    start = max(0, min(index - size // 2, len(tokens) - size))
    return Occurrence(tokens[start:start + size], index - start)


def load_encoder(model_dir: Path):
    """The encoder, loaded once (training replaces the directory after each
    epoch), and what is known of its training run."""
    from indexing.elmo.encoder import ElmoEncoder

    encoder = ElmoEncoder.load(model_dir)
    info = {"model_dir": str(model_dir),
            "model_saved_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(model_dir.stat().st_mtime))}
    metrics_path = model_dir.parent / "metrics.json"
    if metrics_path.exists():
        epochs = json.loads(metrics_path.read_text()).get("epochs") or []
        if epochs:
            info["epochs_trained"] = epochs[-1].get("epoch")
            info["heldout_perplexity"] = epochs[-1].get("heldout_perplexity")
    return encoder, info


def encode_targets(encoder, occurrences: list[Occurrence], desc: str) -> np.ndarray:
    """Every layer's vector of each occurrence's target token: float32 ``(n, 3, dim)``."""
    from tqdm import tqdm

    out = np.zeros((len(occurrences), encoder.bilm.n_output_layers, encoder.dim), dtype=np.float32)
    with tqdm(total=len(occurrences), desc=desc, unit="sent", dynamic_ncols=True) as bar:
        for start in range(0, len(occurrences), ENCODE_CHUNK):
            chunk = occurrences[start:start + ENCODE_CHUNK]
            layers = encoder.encode_layers([o.tokens for o in chunk],
                                           on_progress=lambda done, _total: bar.update(start + done - bar.n))
            for i, (occurrence, array) in enumerate(zip(chunk, layers)):
                out[start + i] = array[:, occurrence.index]  # (3, dim)
    return out


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-8)


def nearest_centroid(train: np.ndarray, labels: list, test: np.ndarray) -> list:
    """Label of the nearest class centroid (cosine) for each row of ``test``,
    in the space the product's sense assignment uses: vectors centred on the
    word's train mean (``indexing.senses.cluster.assign``). Ties go to the
    more frequent train label: layer 0 gives every occurrence of one spelling
    the same vector, which centres to zero."""
    from indexing.senses.cluster import assign, centred

    mean = train.mean(axis=0)
    points = centred(train, mean)
    counts = Counter(labels)
    classes = sorted(counts, key=lambda c: (-counts[c], str(c)))  # argmax takes the first of equals
    labels_array = np.array(labels, dtype=object)
    centroids = unit(np.stack([points[labels_array == c].mean(axis=0) for c in classes]))
    best, _cosine = assign(test, mean, centroids)
    return [classes[i] for i in best]


# --- WiC ---------------------------------------------------------------------

def read_wic(split: str, limit: int | None = None) -> tuple[list[Occurrence], list[Occurrence], np.ndarray]:
    """Both sentences of each pair and the gold labels (True: same sense)."""
    folder = WIC / split
    lines = (folder / f"{split}.data.txt").read_text(encoding="utf-8").splitlines()
    gold = (folder / f"{split}.gold.txt").read_text(encoding="utf-8").split()
    firsts, seconds = [], []
    for line in lines[:limit]:
        _lemma, _pos, indices, first, second = line.split("\t")
        i, j = map(int, indices.split("-"))
        firsts.append(window(first.split(" "), i))
        seconds.append(window(second.split(" "), j))
    return firsts, seconds, np.array([g == "T" for g in gold[:len(firsts)]])


def best_threshold(cosines: np.ndarray, same: np.ndarray) -> float:
    """The cosine threshold (same sense at or above it) of best accuracy."""
    order = np.argsort(cosines)
    c, y = cosines[order], same[order]
    # Accuracy when the first k (lowest) pairs are called "different".
    correct = np.concatenate([[0], np.cumsum(~y)]) + np.concatenate([np.cumsum(y[::-1])[::-1], [0]])
    k = int(np.argmax(correct))
    if k == 0:
        return float(c[0]) - 1e-6
    return float(c[k - 1] + c[k]) / 2 if k < len(c) else float(c[-1]) + 1e-6


def evaluate_wic(encoder, limit: int | None) -> dict:
    splits = {split: read_wic(split, limit) for split in ("train", "dev", "test")}
    encoded = {}
    for split, (firsts, seconds, _gold) in splits.items():
        targets = encode_targets(encoder, firsts + seconds, f"WiC {split}")
        encoded[split] = (targets[:len(firsts)], targets[len(firsts):])
    # "centred": minus the mean target vector of the train pairs, which every
    # vector of our small biLM shares (raw cosines sit near 0.9-0.99).
    means = {v: np.concatenate([f(encoded["train"][0]), f(encoded["train"][1])]).mean(axis=0)
             for v, f in VIEWS.items()}
    cosines: dict[str, dict[str, np.ndarray]] = {}
    for split, (a, b) in encoded.items():
        cosines[split] = {v: (unit(f(a)) * unit(f(b))).sum(axis=1) for v, f in VIEWS.items()}
        cosines[split].update({f"{v} centred": (unit(f(a) - means[v]) * unit(f(b) - means[v])).sum(axis=1)
                               for v, f in VIEWS.items()})
    rows = {}
    for view in cosines["train"]:
        threshold = best_threshold(cosines["train"][view], splits["train"][2])
        rows[view] = {"threshold": threshold, **{
            split: round(100 * float(np.mean((cosines[split][view] >= threshold) == gold)), 1)
            for split, (_f, _s, gold) in splits.items()}}
        logger.info("WiC %s: %s", view, rows[view])
    return {"pairs": {split: len(gold) for split, (_f, _s, gold) in splits.items()},
            "accuracy": rows, "published": PUBLISHED_WIC}


# --- Wikipedia homograph data ---------------------------------------------------

def char_span(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Character offsets of a UTF-8 byte span of ``sentence``."""
    raw = sentence.encode("utf-8")
    return len(raw[:start].decode("utf-8")), len(raw[:end].decode("utf-8"))


def homograph_occurrence(sentence: str, start: int, end: int) -> Occurrence:
    """The sentence's tokens and the token overlapping the byte span."""
    first, last = char_span(sentence, start, end)
    tokens = tokenize(sentence, keep_punct=True)
    for i, token in enumerate(tokens):
        if token.start < last and token.end > first:
            return window([sentence[t.start : t.end] for t in tokens], i)
    raise ValueError(f"no token at characters {first}-{last} of {sentence!r}")


def read_homographs(split: str, limit: int | None = None) -> dict[str, list[tuple[Occurrence, str]]]:
    """Homograph -> (occurrence, wordid) per sentence of ``split`` (train or eval)."""
    words = {}
    for path in sorted((HOMOGRAPHS / split).glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(islice(csv.DictReader(f, delimiter="\t"), limit))
        words[path.stem] = [(homograph_occurrence(r["sentence"], int(r["start"]), int(r["end"])), r["wordid"])
                            for r in rows]
    return words


def evaluate_homographs(encoder, limit: int | None) -> dict:
    train, test = read_homographs("train", limit), read_homographs("eval", limit)
    words = sorted(set(train) & set(test))
    occurrences = [o for w in words for o, _ in train[w]] + [o for w in words for o, _ in test[w]]
    targets = encode_targets(encoder, occurrences, "homographs")
    n_train = sum(len(train[w]) for w in words)
    offsets = {"train": np.cumsum([0] + [len(train[w]) for w in words]),
               "test": n_train + np.cumsum([0] + [len(test[w]) for w in words])}
    correct: dict[str, list[int]] = {v: [] for v in [*VIEWS, "most frequent wordid"]}
    for i, word in enumerate(words):
        train_ids, test_ids = [y for _, y in train[word]], [y for _, y in test[word]]
        a = targets[offsets["train"][i]:offsets["train"][i + 1]]
        b = targets[offsets["test"][i]:offsets["test"][i + 1]]
        for view, f in VIEWS.items():
            predicted = nearest_centroid(f(a), train_ids, f(b))
            correct[view].append(sum(p == y for p, y in zip(predicted, test_ids)))
        mfs = Counter(train_ids).most_common(1)[0][0]
        correct["most frequent wordid"].append(sum(y == mfs for y in test_ids))
    sizes = np.array([len(test[w]) for w in words])
    rows = {view: {"macro": round(100 * float(np.mean(np.array(c) / sizes)), 1),
                   "micro": round(100 * sum(c) / int(sizes.sum()), 1)} for view, c in correct.items()}
    # The tokenizer keeps hyphenated compounds whole ("ex-convict"): the
    # vector is then the compound's, not the homograph's.
    compounds = sum(o.tokens[o.index].lower() != w for w in words for o, _ in train[w] + test[w])
    return {"homographs": len(words), "train_sentences": n_train, "eval_sentences": int(sizes.sum()),
            "target_is_compound": compounds, "accuracy": rows}


# --- speed -------------------------------------------------------------------

def speed_sentences(n: int) -> list[list[str]]:
    sentences = (s for p in wikitext_paragraphs(WIKITEXT_TEST) for s in tokenize_sentences(p))
    return list(islice(sentences, n))


def _timed(encode: Callable[[], object], n_tokens: int, n_sentences: int) -> dict:
    start = time.perf_counter()
    encode()
    seconds = time.perf_counter() - start
    return {"tokens_per_s": n_tokens / seconds, "sentences_per_s": n_sentences / seconds}


def _median(runs: list[dict]) -> dict:
    return {key: round(statistics.median(r[key] for r in runs), 1) for key in runs[0]}


def measure_speed(encoder, limit: int | None) -> dict:
    """Tokens/s and sentences/s of ``encode_tokens`` (what indexing calls):
    batched with a cold char-CNN cache (cleared before each run) and warm, and
    one sentence at a time (warm, as a query is)."""
    import torch

    sentences = speed_sentences(min(SPEED_SENTENCES, limit or SPEED_SENTENCES))
    single = sentences[:SINGLE_SENTENCES]
    tokens, single_tokens = sum(map(len, sentences)), sum(map(len, single))
    rows = []
    for threads in SPEED_THREADS:
        torch.set_num_threads(threads)
        cold, warm, one = [], [], []
        for _ in range(SPEED_RUNS):
            encoder.cache.clear()
            cold.append(_timed(lambda: encoder.encode_tokens(sentences), tokens, len(sentences)))
            warm.append(_timed(lambda: encoder.encode_tokens(sentences), tokens, len(sentences)))
            one.append(_timed(lambda: [encoder.encode_tokens([s]) for s in single], single_tokens, len(single)))
        for mode, runs in (("batch 64, cold cache", cold), ("batch 64, warm cache", warm),
                           ("one sentence at a time, warm", one)):
            rows.append({"threads": threads, "mode": mode, **_median(runs)})
            logger.info("speed: %s", rows[-1])
    torch.set_num_threads(1)
    return {"sentences": len(sentences), "tokens": tokens, "single_sentences": len(single),
            "runs": SPEED_RUNS, "load_average_1min": round(os.getloadavg()[0], 2), "rows": rows}


# --- the benchmark -------------------------------------------------------------

def evaluate_elmo(model_dir: Path | None = None, limit: int | None = None, threads: int = 1) -> dict:
    """Every figure of this module as a plain dict (see ``elmo_markdown``)."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    encoder, info = load_encoder(model_dir or DEFAULT_MODEL)
    figures: dict = {"model": info, "limit": limit, "threads": threads, "seconds": {}}
    for name, evaluate in (("wic", evaluate_wic), ("homographs", evaluate_homographs)):
        start = time.perf_counter()
        with threadpool_limits(limits=threads, user_api="blas"):
            figures[name] = evaluate(encoder, limit)
        figures["seconds"][name] = round(time.perf_counter() - start, 1)
    start = time.perf_counter()
    figures["speed"] = measure_speed(encoder, limit)
    figures["seconds"]["speed"] = round(time.perf_counter() - start, 1)
    return figures


def _view_name(view: str) -> str:
    base, _, centred = view.partition(" ")
    return VIEW_NAMES.get(base, base) + (", centred" if centred else "")


def elmo_markdown(result: dict) -> str:
    model = result["model"]
    ppl = model.get("heldout_perplexity")
    lines = ["# ELMo biLM: word senses and speed", "",
             f"Model `{model['model_dir']}` saved {model['model_saved_at']}"
             + (f", after epoch {model['epochs_trained']}" if model.get("epochs_trained") else "")
             + (f"; held-out perplexity (WikiText-2 test, from the training run's metrics.json) forward "
                f"{ppl['forward']:.1f} / backward {ppl['backward']:.1f}" if ppl else "; no metrics.json")
             + f". Measured {result.get('measured_at', 'unknown')} on {result.get('machine', 'unknown')}, "
             f"{result['threads']} torch thread(s)"
             + (f", at most {result['limit']} sentences per split and word (a quick run)" if result["limit"] else "")
             + ".", ""]
    wic = result["wic"]
    lines += ["## WiC: cosine of the target's two vectors, threshold tuned on train", "",
              f"Pairs: {wic['pairs']['train']:,} train / {wic['pairs']['dev']:,} dev / {wic['pairs']['test']:,} "
              "test. Published: " + ", ".join(f"{k} {v}" for k, v in wic["published"].items()) + ".", "",
              "| vectors | threshold | train acc | dev acc | test acc |", "|---|---|---|---|---|"]
    lines += [f"| {_view_name(v)} | {r['threshold']:.3f} | {r['train']:.1f} | {r['dev']:.1f} | {r['test']:.1f} |"
              for v, r in wic["accuracy"].items()]
    homographs = result["homographs"]
    lines += ["", "## Wikipedia homographs: 1-nearest wordid centroid (cosine, centred on the word's train mean)",
              "", f"{homographs['homographs']} homographs, {homographs['train_sentences']:,} train / "
              f"{homographs['eval_sentences']:,} eval sentences. Macro: mean of per-word accuracy; micro: over "
              "sentences; the target token is a hyphenated compound (\"ex-convict\") in "
              f"{homographs['target_is_compound']} sentences.", "",
              "| vectors | macro acc | micro acc |", "|---|---|---|"]
    lines += [f"| {VIEW_NAMES.get(v, v)} | {r['macro']:.1f} | {r['micro']:.1f} |"
              for v, r in homographs["accuracy"].items()]
    speed = result["speed"]
    lines += ["", "## Encoding throughput (`encode_tokens`)", "",
              f"{speed['sentences']:,} WikiText-2 test sentences ({speed['tokens']:,} tokens); one at a time on the "
              f"first {speed['single_sentences']}; medians of {speed['runs']} runs; 1-minute load average "
              f"{speed['load_average_1min']}.", "",
              "| threads | mode | tokens/s | sentences/s |", "|---|---|---|---|"]
    lines += [f"| {r['threads']} | {r['mode']} | {r['tokens_per_s']:,.0f} | {r['sentences_per_s']:,.1f} |"
              for r in speed["rows"]]
    lines += ["", "Seconds per part: " + ", ".join(f"{k} {v}" for k, v in result["seconds"].items()) + "."]
    return "\n".join(lines) + "\n"


def save_markdown(name: str, markdown: str) -> Path:
    path = report.RESULTS / f"{name}.md"
    path.write_text(markdown)
    return path

