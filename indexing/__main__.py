"""Command line: `python -m indexing build --source PATH [PATH...] [--data-dir DIR]`,
`python -m indexing delete ID|--title T [--yes]`, `python -m indexing status`,
`python -m indexing tune [--minutes N] [--epochs E] [--resume|--restart]`,
`python -m indexing senses`.

Builds (or, with --add, extends) the index over files and folders in any
format the upload accepts, with tqdm progress. `--demo` builds the built-in
demo corpus. Bad files are reported and skipped; nothing prints a traceback.
`delete` names the document and asks before it deletes (`--yes` skips the
question; without a terminal to ask on, it is required). `tune` goes on
training the ELMo column's biLM on the stored documents, then re-encodes
them with it (indexing/tuning.py); Ctrl-C stops it with the index as it was
and the run saved for `--resume`. `senses` reads and keeps the senses of
the documents whose kept readings are missing or were made with older
models (after an update of the sense inventory), which queries otherwise
read as they show them, more slowly; what it read is kept if it is stopped.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys

from indexing.errors import SenseSearchError, UnsupportedFileError
from indexing.index import Index
from indexing.ingest import Columns, read_path
from indexing.progress import BUILD_STAGES, UPLOAD_STAGES, TqdmProgress
from indexing.senses.readings import STAGE as READINGS_STAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indexing", description="Build SenseSearch indexes.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="store documents and train every method over the store")
    sources = build.add_mutually_exclusive_group(required=True)
    sources.add_argument("--source", nargs="+", metavar="PATH", help="files or folders (.txt .md .csv .tsv .jsonl .pdf)")
    sources.add_argument("--demo", action="store_true", help="the built-in demo corpus (ships with gensim)")
    build.add_argument("--data-dir", help="data directory (default: $SENSESEARCH_DATA_DIR or ./data)")
    build.add_argument("--add", action="store_true",
                       help="add to the existing index by inference instead of retraining")
    build.add_argument("--text-column", help="column/key holding the text in .csv/.tsv/.jsonl files")
    build.add_argument("--title-column", help="column/key holding the title in .csv/.tsv/.jsonl files")
    build.add_argument("--elmo-model", metavar="DIR",
                       help="biLM for the elmo and senses methods (config.json + weights.pt, e.g. from "
                            "`python -m indexing.elmo convert`); default: the distilled biLM for elmo, "
                            "the LM-only one for senses")
    delete = commands.add_parser("delete", help="delete one document from the store and every index")
    which = delete.add_mutually_exclusive_group(required=True)
    which.add_argument("doc_id", nargs="?", type=int, help="the document's id (shown as 'doc N')")
    which.add_argument("--title", help="the document's exact title")
    delete.add_argument("--yes", action="store_true", help="delete without asking")
    delete.add_argument("--data-dir")
    tune = commands.add_parser("tune", help="tune the ELMo column's biLM to the stored documents, then re-encode")
    tune.add_argument("--minutes", type=float,
                      help="stop training after this long (default: 10, or no limit with --epochs)")
    tune.add_argument("--epochs", type=float, help="stop after this many passes over the documents' sentence pairs")
    stopped = tune.add_mutually_exclusive_group()
    stopped.add_argument("--resume", action="store_true", help="continue the run that was stopped")
    stopped.add_argument("--restart", action="store_true", help="discard the run that was stopped and start anew")
    tune.add_argument("--data-dir")
    senses = commands.add_parser("senses", help="read and keep the senses of documents whose kept readings are "
                                                "missing or out of date, so that queries need not read them")
    senses.add_argument("--data-dir")
    status = commands.add_parser("status", help="print what the index holds (--json: the full record)")
    status.add_argument("--data-dir")
    status.add_argument("--json", action="store_true", help="the full status record as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "status":
            status = Index.open(args.data_dir).status()
            print(json.dumps(status, indent=2) if args.json else status_summary(status))
            return 0
        if args.command == "delete":
            return _delete(args)
        if args.command == "tune":
            return _tune(args)
        if args.command == "senses":
            return _senses(args)
        return _build(args)
    except SenseSearchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resume = " (`python -m indexing tune --resume` continues the run)" if args.command == "tune" else ""
        print(f"interrupted; the previous index is intact{resume}", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace) -> int:
    if args.demo:
        from indexing.demo import DemoCorpus

        documents, bad = list(DemoCorpus()), []
    else:
        columns = Columns(args.text_column, args.title_column)
        found = [item for path in args.source for item in read_path(path, columns)]
        documents = [d for d in found if not isinstance(d, UnsupportedFileError)]
        bad = [str(e) for e in found if isinstance(e, UnsupportedFileError)]
    for message in bad:
        print(f"skipped: {message}", file=sys.stderr)
    if not documents:
        print("error: no readable documents in the sources given", file=sys.stderr)
        return 2
    progress = TqdmProgress(UPLOAD_STAGES if args.add else BUILD_STAGES)
    try:
        if args.add:
            index = Index.open(args.data_dir)
            report = index.add_documents(documents, progress)
        else:
            index = Index(args.data_dir)
            report = index.build(documents, progress, configs=_elmo_configs(args.elmo_model))
    finally:
        progress.close()
    for message in report.errors:
        print(f"skipped: {message}", file=sys.stderr)
    n_docs, n_words = index.store.counts()
    print(f"{len(report.added)} documents added, {len(report.duplicates)} already stored; "
          f"the index holds {n_docs} documents, {n_words} words, in {index.directory}")
    return 0


def _senses(args: argparse.Namespace) -> int:
    index = Index.open(args.data_dir)
    progress = TqdmProgress([(READINGS_STAGE, 1.0)])
    try:
        read = index.read_senses(None, progress)
    finally:
        progress.close()
    print(f"{read} documents' senses read and kept; {index.unread_senses()} left to read at query time")
    return 0


def status_summary(status: dict) -> str:
    """The status record as a person reads it."""
    lines = [f"Index in {status['data_dir']}: {status['documents']:,} documents, {status['words']:,} words."]
    trained = status.get("trained")
    if not trained:
        return "\n".join([*lines, "Not trained yet: python -m indexing build --source PATH"])
    when = trained["at"].replace("T", " ")[:16] + " UTC"
    sources = ", ".join(f"{name} ({count:,})" for name, count in sorted(trained.get("sources", {}).items()))
    lines.append(f"Last trained {when} on {trained['documents']:,} documents: {sources}.")
    lines.append("Methods:")
    width = max(len(facts.get("label", name)) for name, facts in status["methods"].items())
    for name, facts in status["methods"].items():
        lines.append(f"  {facts.get('label', name):<{width}}  {facts['vectors']:>9,} {facts.get('unit', 'document')} "
                     f"entries; {facts['index']}")
    if status.get("unread_senses"):
        lines.append(f"{status['unread_senses']:,} documents' senses are read at each query that shows them, more "
                     "slowly (never read, or read with older models): python -m indexing senses reads and keeps them.")
    lines.append(f"Generation {status.get('generation')}, revision {status.get('revision')}, "
                 f"format {status.get('format_version')}. --json prints the full record.")
    return "\n".join(lines)


def _delete(args: argparse.Namespace) -> int:
    index = Index.open(args.data_dir)
    if args.title is not None:
        matches = list(index.store.titled(args.title, exact=True).items())
        if len(matches) != 1:
            found = "no document" if not matches else f"{len(matches)} documents ({', '.join(f'doc {i}' for i, _ in matches)})"
            print(f"error: {found} titled {args.title!r}; give the id instead", file=sys.stderr)
            return 2
        doc_id, title = matches[0]
    else:
        document = index.store.get(args.doc_id)
        if document is None:
            print(f"error: there is no document {args.doc_id}", file=sys.stderr)
            return 2
        doc_id, title = args.doc_id, document.title
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"error: not deleting {title!r} (doc {doc_id}) without asking; add --yes", file=sys.stderr)
            return 2
        if input(f"Delete {title!r} (doc {doc_id}) from the store and every index? [y/N] ").strip().lower() != "y":
            print("nothing deleted")
            return 1
    if not index.delete(doc_id):
        print(f"error: doc {doc_id} was deleted meanwhile", file=sys.stderr)
        return 2
    print(f"Deleted: {title} (doc {doc_id})")
    return 0


def _tune(args: argparse.Namespace) -> int:
    from indexing.elmo.tune import TuneConfig
    from indexing.tuning import discard_stopped_run, stopped_run, tune_stages

    index = Index.open(args.data_dir)
    if stopped_run(index.directory) and not (args.resume or args.restart):
        print("error: a tuning run was stopped here; continue it with --resume or discard it with --restart",
              file=sys.stderr)
        return 2
    if args.restart:
        discard_stopped_run(index.directory)
    minutes = args.minutes if args.minutes is not None or args.epochs is not None else TuneConfig().minutes
    try:
        config = TuneConfig(minutes=minutes, epochs=args.epochs)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    progress = TqdmProgress(tune_stages(config, index.store.counts()[0]))
    try:
        index.tune_elmo(config, progress, resume=args.resume)
    finally:
        progress.close()
    tuned = index.status()["methods"]["elmo"].get("tuned") or {}
    print(f"ELMo tuned for {tuned.get('steps', '?')} steps ({tuned.get('seconds', 0) / 60:.1f} min) on "
          f"{index.store.counts()[0]} documents, which it now encodes; in {index.directory}")
    return 0


def _elmo_configs(model: str | None) -> dict[str, object] | None:
    if model is None:
        return None
    from pathlib import Path

    from indexing.elmo_method import ElmoMethodConfig
    from indexing.senses.method import SensesConfig

    if not (Path(model) / "config.json").is_file() or not (Path(model) / "weights.pt").is_file():
        raise SenseSearchError(f"{model} is not a biLM directory: it needs config.json and weights.pt "
                               "(convert AllenNLP files with `python -m indexing.elmo convert`).")
    path = str(Path(model).resolve())
    return {"elmo": ElmoMethodConfig(model=path), "senses": SensesConfig(model=path)}


if __name__ == "__main__":
    sys.exit(main())
