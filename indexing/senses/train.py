"""Train the senses method: learn word2vec context vectors over the corpus,
read a sample of its sentences with the biLM, and cluster each frequent
word's occurrences into the sense inventory (indexing/senses/inventory.py).

Consumes the stored documents and a `SensesConfig`; produces a
`SensesMethod` (indexing/senses/method.py), which tags and encodes.
"""
from __future__ import annotations

import logging

import numpy as np

from indexing.contextual import content_mask, model_path, shared_reader
from indexing.documents import StoredDocument
from indexing.elmo_build import corpus_sentences
from indexing.progress import Progress, no_progress
from indexing.senses.context import ContextBags, sense_features
from indexing.senses.inventory import OccurrenceSample, SenseInventory
from indexing.senses.method import SensesConfig, SensesMethod
from indexing.text import document_frequencies, idf_table, split_sentences, words

logger = logging.getLogger(__name__)


def train_senses(documents: list[StoredDocument], on_progress: Progress = no_progress,
                 config: SensesConfig | None = None, name: str = "senses") -> SensesMethod:
    """Encode a sample of the corpus and cluster each frequent word's
    occurrences into senses."""
    config = config or SensesConfig()
    if not isinstance(config, SensesConfig):
        raise TypeError(f"the {name} method takes a SensesConfig, not {type(config).__name__}")
    directory = model_path(config.model)
    reader = shared_reader(directory)
    frequency = document_frequencies(d.text for d in documents)
    on_progress(0, 1, "Senses: learning word contexts")
    context = ContextBags.train(_word_sentences(documents), config.context)
    on_progress(1, 1, "Senses: learning word contexts")
    idf, unseen_idf = idf_table(frequency, len(documents))
    sample = corpus_sentences(documents, config.sample_sentences, config.seed)
    stage = "Senses: reading words in context"
    on_progress(0, len(sample), stage)
    layers = reader.encode_layers([t for t, _ in sample], [tok for _, tok in sample],
                           on_progress=lambda done, total: on_progress(done, total, stage))
    weights = np.asarray(config.sense_layers, dtype=np.float32) / sum(config.sense_layers)
    contents = [np.flatnonzero(content_mask(tokens)).tolist() for _, tokens in sample]
    spaces = [np.tensordot(weights, sentence_layers, axes=1) for sentence_layers in layers]
    all_vectors = [vectors[content] for vectors, content in zip(spaces, contents)]
    stacked = np.concatenate(all_vectors) if all_vectors else np.zeros((1, reader.encoder.dim), dtype=np.float32)
    space_mean = stacked.mean(axis=0)
    occurrences = OccurrenceSample(config.per_word, config.seed)
    for (text, tokens), vectors, content in zip(sample, spaces, contents):
        bags = context.bags([t.norm for t in tokens], content, idf, unseen_idf)
        features = sense_features(vectors[content], bags, space_mean, config.context_weight)
        for position, i in enumerate(content):
            lo, hi = max(0, position - config.context_window), position + config.context_window + 1
            neighbours = tuple(tokens[j].norm for j in content[lo:hi] if j != i)
            start = tokens[0].start
            example = (text[start : tokens[-1].end], tokens[i].start - start, tokens[i].end - start)
            occurrences.add(tokens[i].norm, features[position], neighbours, example)
    stage = "Senses: clustering each word's occurrences"
    on_progress(0, 1, stage)
    inventory = SenseInventory.build(occurrences, config.min_count, config.max_senses, config.min_silhouette,
                                     frequency, len(documents), config.seed, config.max_words,
                                     lambda done, total: on_progress(done, total, stage), config.min_documents)
    on_progress(1, 1, stage)
    method = SensesMethod(name, config, directory, context, inventory, space_mean, frequency, len(documents))
    logger.info("sense inventory: %d words, %d with more than one sense", len(inventory),
                len(inventory.ambiguous_words()))
    return method


def _word_sentences(documents: list[StoredDocument]) -> list[list[str]]:
    """Every sentence of the corpus as normalised words, for word2vec."""
    return [words(d.text[span.start : span.end]) for d in documents for span in split_sentences(d.text)]
