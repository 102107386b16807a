"""Command line of the benchmark; results go to bench/results/ as JSON and
markdown (and a PNG for the growth runs).

    python -m bench quality [--collection cisi|nfcorpus|lee|all] [--tune] [--no-minilm] [--trainings N]
    python -m bench hybrid [--dense dbow dm] [--save-as NAME]   # choose the Hybrid's fusion on dev (CISI + NFCorpus)
    python -m bench keyword-params [--trainings 2] [--keep DIR]   # BM25's and RM3's parameters in the Hybrid, dev
    python -m bench dense-mix [--trainings 2] [--keep DIR]        # the Hybrid's DBOW and DM shares, dev
    python -m bench hybrid-speed [--sizes 1000 10000 100000] [--full-up-to 10000] [--save-as NAME]   # BM25, Hybrid
    python -m bench speed [--sizes 1000 10000 100000] [--epochs N] [--queries N] [--keep DIR]
    python -m bench faiss [--sizes 10000 ... 1000000] [--queries N]
    python -m bench dictionary [--split train|test] [--cache NPZ]   # the general sense inventory, CoarseWSD-20
    python -m bench glosses [--split train|test]   # the gloss overlaps' weights (CoarseWSD-20, WiC)
    python -m bench pos [--split train|test]   # the part of speech in a sense reading (Brown; CoarseWSD-20, WiC)
    python -m bench senses-shown [--split train|test]   # senses the word-senses view lists, CoarseWSD-20
    python -m bench query-readings [--split train|test]   # a query's word read by the inventory, simulated queries
    python -m bench homonyms [--dev]   # homonym queries: right sense first? (--dev: choose the verdict margins)
    python -m bench verdicts [--data-dir DIR]   # "other sense" verdicts on everyday demo queries, judged
    python -m bench dm [--configs NAME ...]     # tune DM on dev (CISI, NFCorpus dev queries, Lee dev pairs)
    python -m bench known-item [--data-dir DIR] # a story's first two sentences find it? (demo index)
    python -m bench korean [--methods ...]      # Korean texts among the Lee stories: retrieval per method
    python -m bench pollution [--data-dir DIR] [--dev]  # do 50 short uploads enter unrelated top-10s? (demo index)
    python -m bench report        # rewrite the markdown and the plot from the JSON files
    python -m bench elmo [--model DIR] [--limit N] [--save-as NAME]   # our biLM on WiC, homographs; speed
    python -m bench elmo-retrieval --models DIR ... [--split dev|test]   # the biLM alone as a retriever
    python -m bench elmo-tuning [--minutes 10] [--split dev|test] [--keep DIR] [--float]   # tuning ELMo to a collection
    python -m bench senses [--model DIR] [--layer L ...] [--features elmo context both] [--limit N]
                                  # sense clustering, CoarseWSD-20

`elmo` and `senses` write their own elmo.md / senses.md beside their JSON.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bench import report


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="SenseSearch benchmarks.")
    commands = parser.add_subparsers(dest="command", required=True)
    quality = commands.add_parser("quality", help="retrieval quality on CISI, NFCorpus; Lee correlation")
    quality.add_argument("--collection", choices=["cisi", "nfcorpus", "lee", "all"], default="all")
    quality.add_argument("--tune", action="store_true", help="also pick Doc2Vec settings from a small grid on dev queries")
    quality.add_argument("--no-minilm", action="store_true", help="skip the sentence-transformers baseline")
    quality.add_argument("--lee-seeds", type=int, default=3, help="training seeds per Lee config")
    quality.add_argument("--seeds", type=int, default=3,
                         help="Doc2Vec trainings (seeds) that score the feedback hybrids; the table shows the first")
    quality.add_argument("--trainings", type=int, default=1,
                         help="build the product's DM, DBOW, Hybrid and Senses this many times (seeds moved on) and "
                              "report each one's test figures over them; the table shows the first")
    quality.add_argument("--methods", nargs="+", metavar="M",
                         help="build only these of our methods (e.g. dbow bm25) and merge their figures into the "
                              "saved results; the others keep theirs (each marked with when it was measured)")
    speed = commands.add_parser("speed", help="build throughput, query latency and memory as the collection grows")
    speed.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    speed.add_argument("--epochs", type=int, default=None,
                       help="Doc2Vec epochs for the growth builds (default: the product configs')")
    speed.add_argument("--queries", type=int, default=200, help="queries timed per method and size")
    speed.add_argument("--keep", metavar="DIR", help="keep each size's index in DIR; a size built there is reused")
    faiss = commands.add_parser("faiss", help="flat vs IVF latency and recall on real vectors, up to 1M")
    faiss.add_argument("--sizes", type=int, nargs="+",
                       default=[10_000, 50_000, 100_000, 200_000, 400_000, 1_000_000])
    faiss.add_argument("--queries", type=int, default=500)
    hybrid = commands.add_parser("hybrid", help="choose the Hybrid fusion on the dev queries of CISI and NFCorpus together")
    hybrid.add_argument("--dense", nargs="+", choices=("dbow", "dm"), default=["dbow"],
                        help="dense methods to re-query with feedback and fuse (default: dbow, the product's)")
    hybrid.add_argument("--save-as", default="hybrid-tuning",
                        help="results name (default hybrid-tuning: bench/results/hybrid-tuning.json)")
    mix = commands.add_parser("dense-mix", help="the Hybrid's dense runs (DBOW, DM, both) and their shares, on dev")
    mix.add_argument("--trainings", type=int, default=2, help="DBOW and DM trainings (seeds) each setting is scored on")
    mix.add_argument("--keep", type=Path, metavar="DIR", help="keep each training's index in DIR; reused there")
    keyword = commands.add_parser("keyword-params", help="BM25's and RM3's parameters in the Hybrid, on dev queries")
    keyword.add_argument("--trainings", type=int, default=2, help="DBOW trainings (seeds) each setting is scored on")
    keyword.add_argument("--keep", type=Path, metavar="DIR", help="keep each training's index in DIR; reused there")
    hybrid_speed = commands.add_parser("hybrid-speed", help="BM25 and Hybrid: query latency, uploads, deletes")
    hybrid_speed.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    hybrid_speed.add_argument("--full-up-to", type=int, default=10000,
                              help="sizes up to this build every method; larger ones only --large-methods")
    hybrid_speed.add_argument("--large-methods", nargs="+", default=["dbow", "dm", "bm25"],
                              help="the methods of sizes above --full-up-to (default: the Hybrid's runs)")
    hybrid_speed.add_argument("--epochs", type=int, default=5, help="Doc2Vec epochs of the builds")
    hybrid_speed.add_argument("--queries", type=int, default=200)
    hybrid_speed.add_argument("--keep", metavar="DIR",
                              help="keep each size's index in DIR; a size built there with the same methods is reused")
    hybrid_speed.add_argument("--save-as", default="hybrid-speed",
                              help="results name (default hybrid-speed: bench/results/hybrid-speed.json); a "
                                   "one-size check under another name leaves the growth runs as they are")
    commands.add_parser("report", help="rewrite the markdown tables and the plot from bench/results/*.json")
    _add_dictionary(commands)
    homonyms = commands.add_parser("homonyms", help="homonym queries: does each method rank the query's sense first?")
    homonyms.add_argument("--dev", action="store_true",
                          help="choose the margins a sense verdict needs, on the development homonyms")
    known = commands.add_parser("known-item", help="known-item search on the demo: first two sentences as the query")
    known.add_argument("--data-dir", type=Path, default=Path("data-bench-demo"),
                       help="the demo index (built there first if missing)")
    pollution = commands.add_parser("pollution", help="do 50 short uploads enter unrelated demo rankings?")
    pollution.add_argument("--data-dir", type=Path, default=Path("data-bench-pollution"),
                           help="the demo index with DM, DBOW and BM25 (built there first if missing)")
    pollution.add_argument("--dev", action="store_true",
                           help="choose how much uploads are scaled by their known words, on dev uploads and queries")
    korean = commands.add_parser("korean", help="sixteen Korean texts among the Lee stories: retrieval per method")
    korean.add_argument("--methods", nargs="+", help="methods to train (default: all)")
    dm = commands.add_parser("dm", help="tune Doc2Vec DM on dev queries and dev Lee pairs")
    dm.add_argument("--configs", nargs="+", help="names of bench.dm_tuning.DM_GRID to run (default: all)")
    dm.add_argument("--test", action="store_true", help="score the chosen config on the test queries, once")
    verdicts = commands.add_parser("verdicts", help="precision of 'other sense' verdicts on everyday demo queries")
    verdicts.add_argument("--data-dir", type=Path, default=Path("data-bench-demo"),
                          help="the demo index (built there first if missing)")
    _elmo_parsers(commands)
    return parser


def _elmo_parsers(commands: argparse._SubParsersAction) -> None:
    # Defaults are resolved in bench.elmo_eval / senses_eval: importing them here
    # would set their OpenMP settings for every other benchmark too.
    elmo = commands.add_parser("elmo", help="our ELMo biLM on WiC and homographs; encoding throughput")
    senses = commands.add_parser("senses", help="word-sense clustering on CoarseWSD-20; min_silhouette tuning")
    for sub in (elmo, senses):
        sub.add_argument("--model", type=Path,
                         help="saved ElmoEncoder directory (default: the shipped indexing/elmo/model)")
        sub.add_argument("--limit", type=int, help="at most N sentences per split and word (quick runs)")
    elmo.add_argument("--save-as", default="elmo", help="results name (default elmo: bench/results/elmo.json, .md)")
    retrieval = commands.add_parser("elmo-retrieval", help="nDCG@10 of biLM models alone on CISI, NFCorpus")
    retrieval.add_argument("--models", type=Path, nargs="+", required=True, help="saved model directories")
    retrieval.add_argument("--split", choices=("dev", "test"), default="dev")
    retrieval.add_argument("--collections", nargs="+", choices=("cisi", "nfcorpus"), default=["cisi", "nfcorpus"])
    tuning = commands.add_parser("elmo-tuning", help="the ELMo column before and after tuning to CISI, NFCorpus")
    tuning.add_argument("--collections", nargs="+", choices=("cisi", "nfcorpus"), default=["cisi", "nfcorpus"])
    tuning.add_argument("--minutes", type=float, default=10.0)
    tuning.add_argument("--learning-rate", type=float, help="default: TuneConfig's")
    tuning.add_argument("--split", choices=("dev", "test"), default="dev", help="test: dev and test queries")
    tuning.add_argument("--keep", type=Path, default=Path("bench-tuning"),
                        help="keeps each collection's untuned index here (reused when there)")
    tuning.add_argument("--save-as", default="elmo-tuning")
    tuning.add_argument("--float", action="store_true", help="tune in float32, not under bfloat16 autocast")
    senses.add_argument("--layer", nargs="+", metavar="L",
                        help="vector kinds to compare: 0, 1, 2, or a mean of layers, 1+2 or 0+1+2 "
                             "(default: 1 2 1+2)")
    senses.add_argument("--features", nargs="+", choices=("elmo", "context", "both"), default=["elmo", "context", "both"],
                        help="what occurrences are clustered by: the biLM vector, a word2vec context bag, or both")


def _add_dictionary(commands) -> None:
    dictionary = commands.add_parser("dictionary", help="the general sense inventory on CoarseWSD-20 and WiC")
    dictionary.add_argument("--split", choices=("train", "test"), default="train",
                            help="train chooses the settings (with WiC dev); test is read once with them (WiC test)")
    dictionary.add_argument("--cache", type=Path, default=Path("dictionary-synsets.npz"),
                            help="the synset vectors dictionary_build cached")
    dictionary.add_argument("--teacher-cache", type=Path,
                            help="also group by the teacher's synset vectors, cached here (build time only)")
    glosses = commands.add_parser("glosses", help="how much the gloss overlap counts in a sense reading")
    glosses.add_argument("--split", choices=("train", "test"), default="train",
                         help="train: CoarseWSD-20 train and WiC dev choose the weight; test: read once with it")
    pos = commands.add_parser("pos", help="the part-of-speech probe on Brown, and its weight in a sense reading")
    pos.add_argument("--split", choices=("train", "test"), default="train",
                     help="train: CoarseWSD-20 train and WiC dev choose the weight; test: read once with it")
    readings = commands.add_parser("query-readings", help="the inventory's reading of a query's word, on short "
                                   "queries cut from CoarseWSD-20 sentences")
    readings.add_argument("--split", choices=("train", "test"), default="train",
                          help="train chooses; test is read once")
    shown = commands.add_parser("senses-shown", help="senses the word-senses view shows per CoarseWSD-20 word vs gold")
    shown.add_argument("--split", choices=("train", "test"), default="train",
                       help="train chooses how much support a sense needs to be listed; test is read once")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("gensim").setLevel(logging.WARNING)
    own = _with_own_report(args)
    if own is not None:
        return own
    _into_results(args)
    report.write_markdown()
    if args.command in ("speed", "report"):
        report.plot_growth()
    print(report.markdown_path().read_text())
    return 0


def _into_results(args: argparse.Namespace) -> None:
    """The benchmarks whose figures go into results.md (`report` only rewrites it)."""
    if args.command == "quality":
        _quality(args)
    elif args.command == "hybrid":
        from bench.hybrid_tuning import tune

        report.save(args.save_as, tune(dense=tuple(args.dense)))
    elif args.command == "hybrid-speed":
        from bench.hybrid_speed import run
        from indexing.methods import DEFAULT_METHODS

        methods = {s: list(DEFAULT_METHODS) if s <= args.full_up_to else args.large_methods for s in args.sizes}
        report.save(args.save_as, run(args.sizes, methods, args.epochs, args.queries, args.keep))
    elif args.command == "speed":
        from bench.speed import run_growth

        report.save("speed", report.merge_speed(run_growth(args.sizes, args.epochs, args.queries, args.keep)))
    elif args.command == "faiss":
        from bench.faiss_threshold import run_faiss

        report.save("faiss", run_faiss(args.sizes, args.queries))


def _quality(args: argparse.Namespace) -> None:
    names = ["cisi", "nfcorpus", "lee"] if args.collection == "all" else [args.collection]
    for name in names:
        if name == "lee":
            from bench.lee import evaluate_lee

            report.save("lee", evaluate_lee(seeds=args.lee_seeds))
            continue
        from bench.quality import evaluate_collection
        from bench.retrievers import LEXICAL, PRODUCT_METHODS

        baselines = list(LEXICAL) if args.no_minilm else None
        found = evaluate_collection(name, baselines, tune=args.tune, seeds=args.seeds,
                                    methods=tuple(args.methods or PRODUCT_METHODS), trainings=args.trainings)
        if args.methods:
            found = report.merge_quality(report.load(f"quality-{name}"), found)
        report.save(f"quality-{name}", found)


def _with_own_report(args: argparse.Namespace) -> int | None:
    """The benchmarks that write their own markdown beside their JSON; None
    for the others."""
    if args.command in ("elmo", "senses"):
        return _elmo_command(args)
    if args.command == "elmo-retrieval":
        from bench.elmo_retrieval import run

        run(args.models, args.collections, args.split)
        return 0
    if args.command == "elmo-tuning":
        from bench.elmo_tuning import evaluate_tuning, tuning_markdown

        return _saved(args.save_as, evaluate_tuning(args.collections, args.minutes, args.split, args.keep,
                                                    args.learning_rate, not args.float), tuning_markdown)
    if args.command == "dense-mix":
        from bench.dense_mix import report as mix_markdown, tune as tune_mix

        return _saved("dense-mix", tune_mix(args.trainings, keep=args.keep), mix_markdown)
    if args.command == "keyword-params":
        from bench.keyword_tuning import report as keyword_markdown, tune

        return _saved("keyword-params", tune(args.trainings, keep=args.keep), keyword_markdown)
    if args.command == "pollution":
        from bench.pollution import measure, measure_dev, pollution_dev_markdown, pollution_markdown

        if args.dev:
            return _saved("pollution-dev", measure_dev(args.data_dir), pollution_dev_markdown)
        return _saved("pollution", measure(args.data_dir), pollution_markdown)
    if args.command == "known-item":
        from bench.known_item import evaluate_known_item, known_item_markdown

        return _saved("known_item", evaluate_known_item(args.data_dir), known_item_markdown)
    if args.command == "korean":
        from bench.korean import evaluate_korean, korean_markdown
        from indexing.methods import DEFAULT_METHODS

        return _saved("korean", evaluate_korean(tuple(args.methods or DEFAULT_METHODS)), korean_markdown)
    if args.command == "dm":
        from bench.dm_tuning import dm_markdown, test_chosen, tune_dm

        previous = report.load("dm_tuning") if (report.RESULTS / "dm_tuning.json").exists() else None
        found = test_chosen(previous) if args.test else tune_dm(args.configs, previous if args.configs else None)
        return _saved("dm_tuning", found, dm_markdown)
    if args.command == "verdicts":
        from bench.verdicts import evaluate_verdicts, verdicts_markdown

        return _saved("verdicts", evaluate_verdicts(args.data_dir), verdicts_markdown)
    if args.command == "dictionary":
        from bench.dictionary_eval import dictionary_markdown, evaluate_dictionary

        results = evaluate_dictionary(args.split, args.cache, teacher_cache=args.teacher_cache)
        return _saved(f"dictionary-{args.split}", results, dictionary_markdown)
    if args.command == "glosses":
        from bench.gloss_tuning import glosses_markdown, tune_glosses

        return _saved(f"glosses-{args.split}", tune_glosses(args.split), glosses_markdown)
    if args.command == "pos":
        from bench.pos import pos_markdown, tune_pos

        return _saved(f"pos-{args.split}", tune_pos(args.split), pos_markdown)
    if args.command == "query-readings":
        from bench.query_readings import evaluate_query_readings, query_readings_markdown

        return _saved(f"query-readings-{args.split}", evaluate_query_readings(args.split), query_readings_markdown)
    if args.command == "senses-shown":
        from bench.senses_shown import evaluate_senses_shown, senses_shown_markdown

        return _saved(f"senses-shown-{args.split}", evaluate_senses_shown(args.split), senses_shown_markdown)
    if args.command == "homonyms":
        from bench.homonyms import choose_margins, evaluate_homonyms, homonyms_markdown, margins_markdown

        if args.dev:
            return _saved("homonyms-dev", choose_margins(), margins_markdown)
        return _saved("homonyms", evaluate_homonyms(), homonyms_markdown)
    return None


def _saved(name: str, results: dict, markdown_of) -> int:
    """Save `results` as bench/results/<name>.json and their markdown beside it; print the markdown."""
    from bench.elmo_eval import save_markdown

    report.save(name, results)
    markdown = markdown_of(report.load(name))
    save_markdown(name, markdown)
    print(markdown)
    return 0


def _elmo_command(args: argparse.Namespace) -> int:
    from bench.elmo_eval import elmo_markdown, evaluate_elmo, save_markdown
    from bench.senses_eval import evaluate_senses
    from bench.senses_markdown import senses_markdown

    if args.command == "elmo":
        report.save(args.save_as, evaluate_elmo(args.model, args.limit))
        markdown = elmo_markdown(report.load(args.save_as))
    else:
        report.save("senses", evaluate_senses(args.model, args.layer, args.limit, args.features))
        markdown = senses_markdown(report.load("senses"))
    save_markdown(args.save_as if args.command == "elmo" else args.command, markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
