"""The markdown of issue 14's figures: the product's own BM25 and Hybrid
methods against bm25s (`quality-*.json`), and their speed as the collection
grows (`hybrid-speed.json`). bench/report.py puts them into results.md."""
from __future__ import annotations

HYBRID_GAIN_TARGET = 0.02  # nDCG@10 above BM25 (bm25s)
BM25_GAP_TARGET = 0.01  # the product's BM25 within this of bm25s
HYBRID_P95_TARGET_MS = 150
UPLOAD_TARGET_MS = 2000


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def hybrid_targets(load) -> list[str]:
    """Rows of the targets table: one per collection and target."""
    lines = []
    for name in ("cisi", "nfcorpus"):
        result = load(f"quality-{name}")
        if not result or "hybrid (ours)" not in result["scores"]:
            continue
        scores, n = result["scores"], result["queries"]
        bm25, hybrid, ours = scores["bm25"], scores["hybrid (ours)"], scores["bm25 (ours)"]
        gain = hybrid["test"]["ndcg@10"] - bm25["test"]["ndcg@10"]
        p = hybrid.get("test_p_vs_bm25")
        met = gain >= HYBRID_GAIN_TARGET and (name != "nfcorpus" or (p is not None and p < 0.05))
        over = ""
        if (trainings := hybrid.get("trainings")) is not None:
            # Judged by the mean over the trainings: one training is one draw of the method.
            mean_p = trainings["test_mean_per_query_p_vs_bm25"]
            met = trainings["test_mean_gain_vs_bm25"] >= HYBRID_GAIN_TARGET and (
                name != "nfcorpus" or (mean_p is not None and mean_p < 0.05))
            over = f"; {trainings_summary(trainings)}; judged by the mean"
        accepted = ""
        if "test_accepted" in hybrid and n.get("test_accepted_by_the_product", n["test"]) < n["test"]:
            accepted = (f"; on the {n['test_accepted_by_the_product']} test queries the product accepts "
                        f"(≤ {n.get('max_query_chars', 1000):,} characters): {hybrid['test_accepted']['ndcg@10']:.3f} vs "
                        f"{bm25['test_accepted']['ndcg@10']:.3f} (p = {_f(hybrid.get('test_accepted_p_vs_bm25'))})")
        lines.append(f"| product Hybrid ≥ BM25 + {HYBRID_GAIN_TARGET} nDCG@10, {name.upper()} test"
                     f"{', p < 0.05' if name == 'nfcorpus' else ''} | {hybrid['test']['ndcg@10']:.3f} vs bm25s "
                     f"{bm25['test']['ndcg@10']:.3f} ({gain:+.3f}, p = {_f(p)}){accepted}{over} | "
                     f"{'yes' if met else 'no'} |")
        gap = ours["test"]["ndcg@10"] - bm25["test"]["ndcg@10"]
        same = ""
        if "test_accepted" in ours and n.get("test_accepted_by_the_product", n["test"]) < n["test"]:
            gap_accepted = ours["test_accepted"]["ndcg@10"] - bm25["test_accepted"]["ndcg@10"]
            same = (f"; on the accepted queries {ours['test_accepted']['ndcg@10']:.3f} vs "
                    f"{bm25['test_accepted']['ndcg@10']:.3f} ({gap_accepted:+.3f})")
        lines.append(f"| product BM25 within {BM25_GAP_TARGET} of bm25s, {name.upper()} test nDCG@10 | "
                     f"{ours['test']['ndcg@10']:.3f} vs {bm25['test']['ndcg@10']:.3f} ({gap:+.3f}){same} | "
                     f"{'yes' if abs(gap) <= BM25_GAP_TARGET else 'no'} |")
    speed = load("hybrid-speed")
    if speed:
        last = speed["runs"][-1]
        hybrid = last["latency"]["hybrid"]
        explained = [r for r in speed["runs"] if r["latency"]["hybrid"]["explained"]]
        figure = f"{hybrid['p95_ms']:.0f} ms with passages"
        if hybrid["explained"]:
            verdict = "yes" if hybrid["p95_ms"] < HYBRID_P95_TARGET_MS else "no"
        else:
            figure += " but without sense explanations (no senses method in this build)"
            verdict = "not measured as asked"
            if explained:
                biggest = explained[-1]
                figure += (f"; with explanations, at {biggest['documents']:,} documents: "
                           f"{biggest['latency']['hybrid']['p95_ms']:.0f} ms")
                if biggest["latency"]["hybrid"]["p95_ms"] >= HYBRID_P95_TARGET_MS:
                    verdict = "no"
        lines.append(f"| Hybrid query p95 < {HYBRID_P95_TARGET_MS} ms at {last['documents']:,} documents, passages "
                     f"and explanations included | {figure} | {verdict} |")
        worst = max(last["upload_one_ms"])
        lines.append(f"| one-document upload < {UPLOAD_TARGET_MS / 1000:.0f} s at {last['documents']:,} documents | "
                     f"worst of {len(last['upload_one_ms'])}: {worst:.0f} ms ({', '.join(last['methods'])}) | "
                     f"{'yes' if worst < UPLOAD_TARGET_MS else 'no'} |")
    return lines


def trainings_summary(trainings: dict) -> str:
    """A row's test nDCG@10 over its trainings (`bench.trainings.spread`), in words."""
    each = ", ".join(f"{t['test']:.3f}" for t in trainings["each"])
    return (f"{len(trainings['each'])} trainings: {each}, mean {trainings['test_mean']:.3f} "
            f"({trainings['test_mean_gain_vs_bm25']:+.3f} vs bm25s, per-query mean p = "
            f"{_f(trainings['test_mean_per_query_p_vs_bm25'], 4)}), above bm25s with p < 0.05 in "
            f"{trainings['above_bm25_with_p_below_0.05']} of {len(trainings['each'])}")


def hybrid_speed_table(result: dict) -> list[str]:
    lines = [f"`python -m bench hybrid-speed`: measured {result.get('measured_at', '?')} (15-min load average "
             f"{result.get('load_average_15min', '?')}); k = {result['k']}, real queries, timed cold, passages "
             "included (and sense explanations where the build has the senses method).", "",
             "| documents | methods built | Hybrid p50 / p95 ms | BM25 p50 / p95 ms | upload of one document ms "
             "(median / worst) | delete ms | rebuilding all of BM25 instead s |", "|---|---|---|---|---|---|---|"]
    for run in result["runs"]:
        h, b = run["latency"]["hybrid"], run["latency"]["bm25"]
        uploads = sorted(run["upload_one_ms"])
        lines.append(f"| {run['documents']:,} | {', '.join(run['methods'])} | {h['p50_ms']:.0f} / {h['p95_ms']:.0f} | "
                     f"{b['p50_ms']:.1f} / {b['p95_ms']:.1f} | {uploads[len(uploads) // 2]:.0f} / {uploads[-1]:.0f} | "
                     f"{max(run['delete_one_ms']):.0f} | {run['bm25_full_rebuild_s'] + run['bm25_analyse_all_s']:.1f} |")
    return lines
