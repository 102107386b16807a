"""Results: one JSON file per benchmark under bench/results/, one markdown
file of tables rendered from whichever of them exist (so re-running one
benchmark refreshes its tables and keeps the others), and the growth plot.
"""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

from bench.speed import SHORT_QUERY_WORDS
from bench.report_hybrid import hybrid_speed_table, hybrid_targets, trainings_summary

RESULTS = Path(__file__).resolve().parent / "results"
LATENCY_TARGET_MS = 150
DEMO_BUILD_TARGET_S = 300
LEE_TARGET = 0.5


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def save(name: str, figures: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({**figures, "machine": machine(),
                               "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                               "load_average_15min": round(os.getloadavg()[2], 2)}, indent=2))
    os.replace(tmp, path)
    return path


def load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def merge_speed(new: dict) -> dict:
    """`new` growth figures plus the sizes of the saved ones that `new` did
    not measure again (with the same epochs), so one size can be re-run."""
    old = load("speed")
    if not old or old.get("epochs_override") != new.get("epochs_override"):
        return new
    runs = {run["size"]: run for run in old["runs"]} | {run["size"]: run for run in new["runs"]}
    return {**new, "runs": [runs[size] for size in sorted(runs)]}


def merge_quality(old: dict | None, new: dict) -> dict:
    """`new` quality figures (a run over some of our methods) over the saved
    `old` ones: what `new` measured replaces, the rest is kept, and
    "measured" records which run each figure comes from. The query split
    is fixed (bench/datasets.py), so the runs score the same queries."""
    if not old:
        return new
    merged = dict(old)
    for key in ("scores", "fusion_weights_dev", "fusion_norm_dev", "fusion_tuned_on_test_for_cross_fitting",
                "feedback", "query_latency_ms", "build_s", "doc2vec_configs"):
        merged[key] = {**old.get(key, {}), **new.get(key, {})}
    merged["queries"] = {**old.get("queries", {}), **new.get("queries", {})}
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    earlier = old.get("measured", {m: old.get("measured_at") for m in old.get("scores", {})})
    merged["measured"] = {**earlier, **{m: now for m in new.get("scores", {})}}
    return merged


def markdown_path() -> Path:
    return RESULTS / "results.md"


def _when(result: dict) -> str:
    """When `result` was measured, and how busy the machine was then."""
    load = result.get("load_average_15min")
    return result.get("measured_at", "unknown") + (f" (15-min load average {load:.1f})" if load is not None else "")


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def quality_table(result: dict) -> list[str]:
    q = result["queries"]
    lines = [f"**{result['collection'].upper()}**: {result['unique_documents']:,} distinct documents, "
             f"{q['judged']} judged queries: {q['dev']} dev (tuning), {q['test']} test (below); measured "
             f"{_when(result)}.", "",
             "| method | nDCG@10 | MAP@100 | recall@100 | p vs BM25 | nDCG@10, all queries* | p vs BM25, all "
             "| query p50 / p95 ms |",
             "|---|---|---|---|---|---|---|---|"]
    bm25 = result["scores"].get("bm25", {}).get("test", {}).get("ndcg@10")
    for method, scores in result["scores"].items():
        test, everything = scores["test"], scores["all"]
        latency = result["query_latency_ms"].get(method)
        timing = f"{latency['p50_ms']:.1f} / {latency['p95_ms']:.1f}" if latency else "(fusion of the runs)"
        mark = " ▲" if bm25 is not None and "+" in method and test["ndcg@10"] > bm25 else ""
        lines.append(f"| {method} | {_f(test['ndcg@10'])}{mark} | {_f(test['map@100'])} | "
                     f"{_f(test['recall@100'])} | {_f(scores.get('test_p_vs_bm25'), 3)} | {_f(everything['ndcg@10'])} | "
                     f"{_f(scores.get('all_p_vs_bm25'), 3)} | {timing} |")
    norms = result.get("fusion_norm_dev", {})
    weights = "; ".join(f"{h}: " + ", ".join(f"{p} {w:.2f}" for p, w in parts.items())
                        + (f" ({norms[h]})" if h in norms else "")
                        for h, parts in result["fusion_weights_dev"].items())
    lines += ["", f"▲ hybrid above BM25 on test nDCG@10; p: two-sided paired t-test of per-query test "
                  f"nDCG@10 against BM25. RRF uses k={result['rrf_k']} (not tuned); "
                  f"the weighted fusion sums per-query normalised scores with weights and normalisation "
                  f"(min-max unless named) tuned on dev nDCG@10: "
                  f"{weights}."]
    feedback = result.get("feedback", {})
    if feedback:
        settings = "; ".join(
            f"{h}: BM25's top {f['setting_dev']['depth']}, query weight {f['setting_dev']['query_weight']:.1f} "
            f"(the {h.removeprefix('bm25+').removesuffix(' feedback').upper()} run alone: test nDCG@10 {f['dense_test']['ndcg@10']:.3f}, "
            f"p50 / p95 {f['dense_latency_ms']['p50_ms']:.1f} / {f['dense_latency_ms']['p95_ms']:.1f} ms "
            "with BM25's search)" for h, f in feedback.items())
        lines += ["", "\"feedback\": the dense method's query vector moves toward the mean vector of BM25's top "
                      "documents (pseudo-relevance feedback in its own vector space), then is fused with BM25; "
                      f"feedback depth and query weight are tuned on dev with the fusion: {settings}. "
                      "rm3 is BM25 with RM3 query expansion (Anserini's defaults: 10 documents, 10 terms, "
                      "query weight 0.5), lexical feedback without any dense vector."]
        for hybrid, found in feedback.items():
            if found.get("other_seeds"):
                lines += ["", f"{hybrid} again with Doc2Vec retrained (seed, test nDCG@10, p vs BM25; "
                              "all queries cross-fitted): " + _seed_spread(found)]
    drawn = {row: scores["trainings"] for row, scores in result["scores"].items() if scores.get("trainings")}
    if drawn:
        summaries = "; ".join(f"{row}: {trainings_summary(found)}" for row, found in drawn.items())
        lines += ["", "Our methods that a training draws, trained again with the Doc2Vec seeds moved on "
                      f"(`--trainings`; the table shows the first): {summaries}."]
    if any(scores.get("all_cross_fitted") for scores in result["scores"].values()):
        lines += ["", "\\* All judged queries, each scored by a run tuned without it: the weighted fusions "
                      "are cross-fitted (dev queries fused with the weights and normalisation tuned on the test "
                      "half, test queries with those tuned on dev); nothing else is tuned on queries."]
    if result.get("doc2vec_tuning"):
        lines.append("DM and DBOW use the config with the best dev nDCG@10 of a small grid "
                     "(see the JSON `doc2vec_tuning`).")
    return lines


def _seed_spread(feedback: dict) -> str:
    """A feedback hybrid's figures for each Doc2Vec training seed."""
    return "; ".join(f"seed {other['seed']}: {other['test']['ndcg@10']:.3f} (p = {_f(other['test_p_vs_bm25'])}), "
                     f"all {other['all_cross_fitted']['ndcg@10']:.3f} (p = {_f(other['all_p_vs_bm25'])})"
                     for other in feedback.get("other_seeds", [])) + "."


def lee_table(result: dict) -> list[str]:
    best = set(result.get("best_dbow_with_word_vectors", {}).values())
    seeds = next(iter(result["results"].values()))["seeds"]
    lines = [f"Lee corpus: {result['protocol']}. Each config trained with {seeds} seeds; measured "
             f"{_when(result)}. Published: human inter-rater r ≈ 0.6, LSI ≈ 0.6. "
             "Configs were compared on these same pairs (the protocol has no dev split).", "",
             "| protocol | config | Pearson r (mean ± sd) | Spearman ρ (mean ± sd) |", "|---|---|---|---|"]
    for name, r in result["results"].items():
        mark = " **(best DBOW with word vectors)**" if name in best else ""
        lines.append(f"| {r.get('protocol', 'inferred')} | {name.removeprefix('indexed: ')}{mark} | "
                     f"{r['pearson_mean']:.3f} ± {r['pearson_std']:.3f} | "
                     f"{r['spearman_mean']:.3f} ± {r['spearman_std']:.3f} |")
    return lines


def speed_table(result: dict) -> list[str]:
    runs = result["runs"]
    methods = list(runs[0]["latency"])
    epochs = result.get("epochs_override")
    lines = [f"Real paragraphs ({result['paragraphs_available']:,} available); k=10; "
             + (f"Doc2Vec trained with {epochs} epochs in these builds (the estimate scales training to the "
                "product's epochs); " if epochs else "product Doc2Vec configs; ")
             + f"measured {_when(result)}.", "",
             "| documents | words | build s (measured) | build s at product epochs (est.) | documents/s | "
             + " | ".join(f"{m.upper()} train words/s" for m in methods)
             + " | " + " | ".join(f"{m.upper()} p50 / p95 ms" for m in methods)
             + " | BM25 p50 / p95 ms | peak MB build / query |",
             "|" + "---|" * (7 + 2 * len(methods))]
    for run in runs:
        train = " | ".join(f"{run['training'][m]['words_per_s']:,.0f}" if m in run["training"] else "–"
                           for m in methods)
        latency = " | ".join(f"{run['latency'][m]['p50_ms']:.1f} / {run['latency'][m]['p95_ms']:.1f}"
                             for m in methods)
        lines.append(f"| {run['documents']:,} | {run['words']:,} | {run['build_s']:.0f} | "
                     f"{run['build_s_product_epochs_estimate']:.0f} | {run['docs_per_s']:.0f} | {train} | {latency} | "
                     f"{run['bm25']['p50_ms']:.1f} / {run['bm25']['p95_ms']:.1f} | "
                     f"{run['build_peak_mb']:.0f} / {run['query_peak_mb']:.0f} |")
    last = runs[-1]
    lines += ["", f"Without the passage step at {last['documents']:,} documents: "
              + ", ".join(f"{m.upper()} {last['latency'][m]['no_passages_p50_ms']:.1f} / "
                          f"{last['latency'][m]['no_passages_p95_ms']:.1f} ms" for m in methods)
              + ". Queries refused (no known word) at the smallest size: "
              + ", ".join(f"{m.upper()} {runs[0]['latency'][m]['refused']}" for m in methods) + "."]
    return lines + _speed_notes(runs, methods)


def _speed_notes(runs: list[dict], methods: list[str]) -> list[str]:
    """The speed table's notes: by query length, FAISS on one thread, IVF
    recall, encoding throughput, CPU time, and the last build's stages."""
    last, lines = runs[-1], []
    with_length = [run for run in runs if "short_p95_ms" in next(iter(run["latency"].values()))]
    if with_length:
        first = next(iter(with_length[0]["latency"].values()))
        lines += ["", f"By query length, p50 / p95 ms with passages, queries of at most {SHORT_QUERY_WORDS} words "
                  f"({first['short_queries']} of them) | longer ones ({first['long_queries']}, most of them "
                  "CISI's paragraph-long queries): " + "; ".join(
                      f"{run['documents']:,} documents: " + ", ".join(
                          f"{m.upper()} {_f(v['short_p50_ms'], 1)} / {_f(v['short_p95_ms'], 1)} | "
                          f"{_f(v['long_p50_ms'], 1)} / {_f(v['long_p95_ms'], 1)}"
                          for m, v in run["latency"].items()) for run in with_length) + "."]
    if any("faiss_one_thread" in run for run in runs):
        lines += ["", "With FAISS on one thread (OMP_NUM_THREADS=1), p50 / p95 ms with passages: "
                  + "; ".join(f"{run['documents']:,} documents: " + ", ".join(
                      f"{m.upper()} {run['faiss_one_thread']['latency'][m]['p50_ms']:.1f} / "
                      f"{run['faiss_one_thread']['latency'][m]['p95_ms']:.1f}" for m in methods)
                      for run in runs if "faiss_one_thread" in run) + "."]
    recall = [(run, name, r) for run in runs for name, r in run.get("ivf_recall", {}).items()]
    if recall:
        lines += ["", "IVF search against exact search over the same vectors, recall of the top 10 documents "
                  "(sentence methods: of the top 100 sentences searched): " + "; ".join(
                      f"{run['documents']:,} documents, {name.upper()} {_f(r['recall'])} ({r['describe']})"
                      for run, name, r in recall) + "."]
    encoding = [(run, name, seconds) for run in runs for name, seconds in run["stages_s"].items()
                if name.startswith("Encoding with") and seconds > 0]
    if encoding:
        lines += ["", "Encoding every document with every method (one biLM pass per sentence for ELMo and "
                  "senses), words/s: " + "; ".join(
                      f"{run['documents']:,} documents, {name.removeprefix('Encoding with ')}: "
                      f"{run['words'] / seconds:,.0f}" for run, name, seconds in encoding) + "."]
    with_cpu = [run for run in runs if "cpu_p50_ms" in next(iter(run["latency"].values()))]
    if with_cpu:
        lines += ["", "CPU time of the query process per query (all threads; what a query costs with the cores "
                  "to itself), p50 / p95 ms: " + "; ".join(
                      f"{run['documents']:,} documents: " + ", ".join(
                          f"{m.upper()} {run['latency'][m]['cpu_p50_ms']:.1f} / {run['latency'][m]['cpu_p95_ms']:.1f}"
                          for m in methods) for run in with_cpu) + "."]
    stages = last["stages_s"]
    lines += ["", f"Build stages at {last['documents']:,} documents (s): "
              + "; ".join(f"{name} {seconds:.1f}" for name, seconds in stages.items()) + "."]
    return lines


def faiss_table(result: dict) -> list[str]:
    threads = result["threads"]
    lines = [f"{result['vectors']}; {result['facts']['sentences']:,} real sentence vectors, "
             f"{result['facts']['queries']} real queries; one query at a time, k={result['k']}; "
             f"latency p50 / p95 ms with FAISS on {' and '.join(map(str, threads))} threads; "
             f"measured {_when(result)}.", "",
             "| vectors | product uses | "
             + " | ".join(f"flat, {t} thr" for t in threads) + " | "
             + " | ".join(f"IVF nprobe 16, {t} thr" for t in threads)
             + " | IVF recall@10 | IVF build s | larger nprobe (1 thread): recall@10, p50 ms |",
             "|" + "---|" * (5 + 2 * len(threads))]
    for row in result["rows"]:
        cells = [f"{row[kind][f'{t}_threads']['p50_ms']:.2f} / {row[kind][f'{t}_threads']['p95_ms']:.2f}"
                 for kind in ("flat", "ivf") for t in threads]
        other = ", ".join(f"{p}: {v['recall@10']:.3f}, {v['p50_ms']:.2f}" for p, v in row["ivf_other_nprobe"].items())
        lines.append(f"| {row['vectors']:,} | {row['product_kind']} | " + " | ".join(cells)
                     + f" | {row['ivf']['recall@10']:.3f} | {row['ivf']['build_s']:.1f} | {other} |")
    return lines


def demo_table(result: dict) -> list[str]:
    lines = [f"`python -m bench.demo --json bench/results/demo.json`: {result['documents']} documents, "
             f"{result['words']:,} words; measured {_when(result)}.", "", "| measure | value |", "|---|---|",
             f"| first-start build | {result['build_s']:.1f} s |", f"| load of the saved index | {result['load_s']:.2f} s |"]
    lines += [f"| query {m.upper()} p50 / p95 | {v['p50_ms']:.1f} / {v['p95_ms']:.1f} ms |"
              for m, v in result["latency"].items()]
    lines.append(f"| peak memory build / query | {result['build_peak_mb']:.0f} / {result['query_peak_mb']:.0f} MB |")
    return lines


def targets() -> list[str]:
    """Each target of issues 5 and 14 with the figure that decides it."""
    lines = ["| target | figure | met |", "|---|---|---|"]
    for name in ("cisi", "nfcorpus"):
        result = load(f"quality-{name}")
        if result:
            lines.append(_hybrid_quality_row(name, result))
    lines += _lee_rows(load("lee")) + _speed_rows(load("speed"))
    lines += hybrid_targets(load)
    demo = load("demo")
    if demo:
        lines.append(f"| demo index builds in < {DEMO_BUILD_TARGET_S // 60} min | {demo['build_s']:.0f} s | "
                     f"{'yes' if demo['build_s'] < DEMO_BUILD_TARGET_S else 'no'} |")
    return lines


def _hybrid_quality_row(name: str, result: dict) -> str:
    """The benchmark's best fusion on dev against BM25 on test, one collection."""
    scores = result["scores"]
    bm25 = scores["bm25"]["test"]["ndcg@10"]
    # The hybrid is chosen on dev queries, as a user would have to: the
    # best on test would be chosen on the very queries that judge it.
    ours = [m for m in scores if m.startswith("bm25+") and "minilm" not in m]
    chosen = max(ours, key=lambda m: scores[m]["dev"]["ndcg@10"])
    test = scores[chosen]["test"]["ndcg@10"]
    p = scores[chosen].get("test_p_vs_bm25")
    everything = ""
    if scores[chosen].get("all_cross_fitted"):
        everything = (f"; all {result['queries']['judged']} queries, cross-fitted: "
                      f"{scores[chosen]['all']['ndcg@10']:.3f} vs {scores['bm25']['all']['ndcg@10']:.3f} "
                      f"(p = {_f(scores[chosen].get('all_p_vs_bm25'))})")
    # "Beats" means a difference the test queries can tell from chance.
    if test > bm25 and p is not None and p < 0.05:
        verdict = "yes"
    elif test > bm25:
        verdict = "no: above BM25 by a difference not significant (tie)"
    else:
        verdict = "no" + (" (difference not significant)" if p is not None and p >= 0.05 else "")
    spread = result.get("feedback", {}).get(chosen.removesuffix(" (weighted)"), {})
    if spread.get("other_seeds"):
        tests = [scores[chosen]["test"]["ndcg@10"]] + [o["test"]["ndcg@10"] for o in spread["other_seeds"]]
        ps = [p] + [o["test_p_vs_bm25"] for o in spread["other_seeds"]]
        significant = sum(1 for t, q in zip(tests, ps) if t > bm25 and q is not None and q < 0.05)
        everything += (f"; with Doc2Vec retrained, {len(tests)} trainings in all: test "
                       f"{min(tests):.3f}-{max(tests):.3f}, above BM25 with p < 0.05 in {significant} of "
                       f"{len(tests)}")
    rm3 = ""
    if "rm3" in scores:
        rm3 = (f"; for comparison, BM25+RM3 (lexical feedback) {scores['rm3']['test']['ndcg@10']:.3f} "
               f"(p = {_f(scores['rm3'].get('test_p_vs_bm25'))})")
    return (f"| hybrid beats BM25, {name.upper()} test nDCG@10 | {chosen} (best of ours on dev) "
            f"{test:.3f} vs BM25 {bm25:.3f} (paired t-test p = {_f(p)}){everything}{rm3} | {verdict} |")


def _lee_rows(lee: dict | None) -> list[str]:
    lines = []
    if lee:
        for protocol, name in (("inferred", "DBOW product default"), ("indexed", "indexed: DBOW product default")):
            found = lee["results"].get(name)
            if found:
                r = found["pearson_mean"]
                lines.append(f"| DBOW Lee Pearson ≥ {LEE_TARGET} ({protocol}, product default) | "
                             f"{r:.3f} ± {found['pearson_std']:.3f} over {found['seeds']} seeds (chosen on these "
                             f"pairs) | {'yes' if r >= LEE_TARGET else 'no'} |")
    return lines


def _speed_rows(speed: dict | None) -> list[str]:
    lines = []
    if speed:
        last = speed["runs"][-1]
        worst = max(v["p95_ms"] for v in last["latency"].values())
        figure = f"worst method {worst:.0f} ms as the app runs"
        if "faiss_one_thread" in last:
            one = last["faiss_one_thread"]["latency"].values()
            figure += f"; {max(v['p95_ms'] for v in one):.0f} ms with FAISS on 1 thread"
            if all("cpu_p95_ms" in v for v in one):
                figure += f" (CPU time per query p95 {max(v['cpu_p95_ms'] for v in one):.0f} ms)"
        if all("short_p95_ms" in v for v in last["latency"].values()):
            short = max(v["short_p95_ms"] for v in last["latency"].values())
            figure += f"; queries of at most {SHORT_QUERY_WORDS} words: worst method {short:.0f} ms"
        lines.append(f"| query p95 < {LATENCY_TARGET_MS} ms at {last['documents']:,} documents (wall clock) | "
                     f"{figure} | {'yes' if worst < LATENCY_TARGET_MS else 'no'} |")
    return lines


def write_markdown() -> None:
    parts = ["# SenseSearch benchmark results", "",
             "Commands: `python -m bench quality`, `python -m bench speed --epochs 5`, `python -m bench faiss`, "
             "`python -m bench.demo --json bench/results/demo.json`, then `python -m bench report`. "
             f"Machine: {machine()}, at times shared with other jobs: each section gives when it was "
             "measured and, where recorded, the 15-minute load average as it ended (2.0 = both cores "
             "busy). Timings are medians and percentiles of one run.", "", "## Targets", "", *targets()]
    sections = [("Retrieval quality (test queries)", [f"quality-{n}" for n in ("cisi", "nfcorpus")], quality_table),
                ("Doc2Vec against human judgment", ["lee"], lee_table),
                ("Speed, memory and growth", ["speed"], speed_table),
                ("BM25 and Hybrid: speed and keeping BM25 in step", ["hybrid-speed"], hybrid_speed_table),
                ("FAISS: flat vs IVF", ["faiss"], faiss_table),
                ("Demo corpus", ["demo"], demo_table)]
    for title, names, render in sections:
        found = [r for r in map(load, names) if r]
        if not found:
            continue
        parts += ["", f"## {title}", ""]
        for result in found:
            parts += [*render(result), ""]
    if (RESULTS / "growth.png").exists():
        parts += ["![growth](growth.png)", ""]
    markdown_path().write_text("\n".join(parts).rstrip() + "\n")


def plot_growth() -> Path | None:
    """bench/results/growth.png: build time, query latency and peak memory
    against the number of documents (log-log)."""
    speed = load("speed")
    if not speed:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = speed["runs"]
    sizes = [r["documents"] for r in runs]
    fig, (build, latency, memory) = plt.subplots(1, 3, figsize=(14, 4.2))
    build.plot(sizes, [r["build_s"] for r in runs], "o-", label="measured")
    build.plot(sizes, [r["build_s_product_epochs_estimate"] for r in runs], "o--", label="at product epochs (est.)")
    build.set(title="Build time", xlabel="documents", ylabel="seconds", xscale="log", yscale="log")
    for method in runs[0]["latency"]:
        line, = latency.plot(sizes, [r["latency"][method]["p95_ms"] for r in runs], "o-", label=f"{method.upper()} p95")
        latency.plot(sizes, [r["latency"][method]["p50_ms"] for r in runs], "o:", color=line.get_color(),
                     label=f"{method.upper()} p50")
        if all("faiss_one_thread" in r for r in runs):
            latency.plot(sizes, [r["faiss_one_thread"]["latency"][method]["p95_ms"] for r in runs], "^--",
                         color=line.get_color(), alpha=0.6, label=f"{method.upper()} p95, FAISS 1 thread")
    latency.plot(sizes, [r["bm25"]["p95_ms"] for r in runs], "s-", color="gray", label="BM25 p95")
    latency.axhline(LATENCY_TARGET_MS, color="red", lw=0.8, ls="--", label=f"{LATENCY_TARGET_MS} ms target")
    latency.set(title="Query latency (with passages, k=10)", xlabel="documents", ylabel="ms", xscale="log",
                yscale="log")
    memory.plot(sizes, [r["build_peak_mb"] for r in runs], "o-", label="build")
    memory.plot(sizes, [r["query_peak_mb"] for r in runs], "o-", label="load + query")
    memory.set(title="Peak memory (RSS)", xlabel="documents", ylabel="MB", xscale="log", yscale="log")
    latency.set_ylim(top=latency.get_ylim()[1] * 8)  # room for the legend above the lines
    for axes in (build, latency, memory):
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=7, loc="upper center", ncol=2 if axes is latency else 1)
    fig.suptitle(f"SenseSearch growth, {machine()}", fontsize=10)
    fig.tight_layout()
    path = RESULTS / "growth.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
