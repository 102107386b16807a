"""Configuration of the character-CNN biLM behind ELMo (Peters et al., 2018).

``ElmoConfig`` is one frozen dataclass, round-tripped as ``asdict() -> JSON ->
ElmoConfig(**d)``; ``config_from_allennlp_options`` reads the ``options.json`` that
ships with the published AllenNLP / bilm-tf weights.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from indexing.elmo.characters import ELMO_MAX_CHARS, N_CHARACTERS

logger = logging.getLogger(__name__)

ACTIVATIONS = ("relu", "tanh")

# The published "small" ELMo (elmo_2x1024_128_2048cnn_1xhighway): 13.6M parameters.
ELMO_SMALL_FILTERS = ((1, 32), (2, 32), (3, 64), (4, 128), (5, 256), (6, 512), (7, 1024))
# Our default: the small model's filter bank cut to 768 filters (highway 2048 -> 768
# is what makes it cheap), words to 24 bytes.
LIGHT_FILTERS = ((1, 32), (2, 32), (3, 64), (4, 128), (5, 256), (6, 256))


@dataclass(frozen=True)
class ElmoConfig:
    char_embed_dim: int = 16
    filters: tuple[tuple[int, int], ...] = LIGHT_FILTERS  # (width, n_filters) per convolution
    n_highway: int = 1
    activation: str = "relu"  # of the convolutions; highway layers always use relu (bilm-tf)
    # Bytes per word incl. BOW/EOW. 50 for published weights; 24 cuts 45 of the 3.3M
    # tokens of our training text (0.001%) and halves the convolution work.
    max_chars: int = 24
    n_characters: int = N_CHARACTERS
    projection_dim: int = 128  # token vector and LSTM hidden size; outputs are 2x this
    cell_dim: int = 512  # LSTM memory cells per direction and layer
    n_layers: int = 2
    cell_clip: float | None = 3.0  # bilm-tf clips the memory cell ...
    proj_clip: float | None = 3.0  # ... and the projected hidden state to [-3, 3]
    use_skip_connections: bool = True  # residual around every LSTM layer but the first
    dropout: float = 0.1  # training only: on LSTM inputs and before the softmax
    vocab_size: int = 40000  # training only: softmax words incl. <unk>, <S>, </S>

    def __post_init__(self) -> None:
        # JSON turns the tuples into lists; normalise so a round trip compares equal.
        object.__setattr__(self, "filters", tuple((int(w), int(n)) for w, n in self.filters))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.max_chars < 3 or self.max_chars > ELMO_MAX_CHARS:
            raise ValueError(f"max_chars must be in [3, {ELMO_MAX_CHARS}], got {self.max_chars}")
        if any(w > self.max_chars for w, _ in self.filters):
            raise ValueError(f"filter widths {self.filters} must not exceed max_chars={self.max_chars}")
        if self.n_layers < 1:
            raise ValueError(f"n_layers must be >= 1, got {self.n_layers}")

    @property
    def n_filters(self) -> int:
        return sum(n for _, n in self.filters)

    @property
    def output_dim(self) -> int:
        """Size of every ELMo layer: forward and backward concatenated."""
        return 2 * self.projection_dim


PRESETS: dict[str, ElmoConfig] = {
    "light": ElmoConfig(),
    # Twice the light model's LSTM width (10.5M parameters, 42 MB): a student
    # with room for what a teacher knows (``distill.py``).
    "medium": ElmoConfig(projection_dim=256, cell_dim=1024),
    "elmo-small": ElmoConfig(filters=ELMO_SMALL_FILTERS, max_chars=50, cell_dim=1024),
}


def create_config(name: str, **overrides: Any) -> ElmoConfig:
    """A preset config by name, with optional field overrides."""
    if name not in PRESETS:
        raise ValueError(f"unknown ELMo preset {name!r}; valid presets: {sorted(PRESETS)}")
    return replace(PRESETS[name], **overrides)


def config_from_allennlp_options(options: dict[str, Any]) -> ElmoConfig:
    """Read the ``options.json`` of a published AllenNLP / bilm-tf biLM."""
    try:
        lstm, cnn = options["lstm"], options["char_cnn"]
        config = ElmoConfig(
            char_embed_dim=cnn["embedding"]["dim"],
            filters=tuple(tuple(f) for f in cnn["filters"]),
            n_highway=cnn["n_highway"],
            activation=cnn["activation"],
            max_chars=cnn["max_characters_per_token"],
            n_characters=cnn.get("n_characters", N_CHARACTERS),
            projection_dim=lstm["projection_dim"],
            cell_dim=lstm["dim"],
            n_layers=lstm["n_layers"],
            cell_clip=lstm.get("cell_clip"),
            proj_clip=lstm.get("proj_clip"),
            use_skip_connections=bool(lstm.get("use_skip_connections", False)),
            dropout=0.0,
            vocab_size=options.get("n_tokens_vocab", 0),
        )
    except KeyError as exc:
        raise ValueError(f"not an ELMo options file: missing key {exc}") from exc
    if config.n_characters != N_CHARACTERS:
        # bilm-tf trains with 261 and AllenNLP's options say 262: both mean the same table.
        logger.info("options say n_characters=%d; using %d", config.n_characters, N_CHARACTERS)
        config = replace(config, n_characters=N_CHARACTERS)
    return config
