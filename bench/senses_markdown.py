"""The markdown report of ``python -m bench senses`` (``bench/senses_eval.py``
measures; this writes bench/results/senses.md from its figures), and the
names its views and thresholds go by in both."""
from __future__ import annotations

import numpy as np

from bench.elmo_eval import VIEW_NAMES

CONTEXT = "context"  # the view key of the context bags; "both" views are "<layer>+context"


def view_name(view: str) -> str:
    if view == CONTEXT:
        return "context bag (word2vec)"
    if view.endswith("+" + CONTEXT):
        return f"{VIEW_NAMES[view[:-len(CONTEXT) - 1]]} + context bag"
    return VIEW_NAMES[view]


def threshold_key(threshold: float) -> str:
    return f"{threshold:.2f}"


def _ari(value: float) -> str:
    return f"{round(value, 3) + 0.0:.3f}"  # + 0.0: no "-0.000"


def senses_markdown(result: dict) -> str:
    model = result["model"]
    controls = ", ".join(f"{w} {c['occurrences']}" for w, c in result["controls"].items())
    context = result.get("context")
    lines = ["# Word-sense clustering on CoarseWSD-20", "",
             (f"Model `{model['model_dir']}` saved {model['model_saved_at']}"
              + (f", after epoch {model['epochs_trained']}" if model.get("epochs_trained") else "") + ". "
              if model else "")
             + (f"Context bags: ±{context['bag_window']} tokens, word2vec "
                + ", ".join(f"{k}={v}" for k, v in context["word2vec"].items())
                + f" on {context['sentences']} sentences ({context['tokens']} tokens: CoarseWSD-20 train and test, "
                f"WikiText-2 test), vocabulary {context['vocabulary']}; {context['empty_bags']} of "
                f"{context['occurrences']} occurrences had no content word. " if context else "")
             + f"Measured {result.get('measured_at', 'unknown')} on {result.get('machine', 'unknown')}"
             + (f", at most {result['limit']} sentences per word and split (a quick run)" if result["limit"] else "")
             + f". `cluster_senses` with max_senses {result['max_senses']}, min_cluster {result['min_cluster']}. "
             f"Controls: {len(result['controls'])} frequent unambiguous nouns of WikiText-2 test, lower-case "
             f"occurrences ({controls}).", ""]
    lines += _tuning_lines(result) + _test_lines(result) + _word_lines(result)
    lines += ["", "Seconds: " + ", ".join(f"{k} {v}" for k, v in result["seconds"].items()) + "."]
    return "\n".join(lines) + "\n"


def _tuning_lines(result: dict) -> list[str]:
    chosen = (result["chosen"]["layer"], result["chosen"]["min_silhouette"])
    lines = ["## Choosing min_silhouette and the layer (train split only)", "",
             "| vectors | min_silhouette | mean ARI, 20 words (train) | controls kept as one sense | objective |",
             "|---|---|---|---|---|"]
    for r in result["tuning_train"]:
        mark = " **(chosen)**" if (r["layer"], r["threshold"]) == chosen else ""
        lines.append(f"| {view_name(r['layer'])} | {r['threshold']:.2f}{mark} | {_ari(r['train_mean_ari'])} | "
                     f"{r['control_one_sense']:.2f} | {r['objective']:.3f} |")
    first_grid = max((r for r in result["tuning_train"] if r["threshold"] <= 0.3), key=lambda r: r["objective"])
    medians = "; ".join(f"{view_name(v)}: ambiguous words {m['ambiguous_train']:.3f} train, "
                        f"{m['ambiguous_test']:.3f} test, controls {m['controls']:.3f}"
                        for v, m in result["median_silhouette"].items())
    return lines + ["", "Objective: (mean ARI + fraction of controls kept as one sense) / 2; ties go to the first "
                    f"row. Best with min_silhouette ≤ 0.3 (the first grid): {view_name(first_grid['layer'])} at "
                    f"{first_grid['threshold']:.2f}, objective {first_grid['objective']:.3f}. "
                    f"Median silhouette of the best k (2-{result['max_senses']}): {medians}.", ""]


def _test_lines(result: dict) -> list[str]:
    lines = ["## Test split, each layer at its best train threshold", "",
             "| vectors | min_silhouette | mean ARI | mean ARI at 0.00 (always split) | mean ARI, k = gold "
             "| senses found / gold (mean; exact) | controls one sense | 1-NN acc | 1-NN macro-F1 | MFS acc "
             "| MFS macro-F1 |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for v, s in result["test"].items():
        split = np.mean([w["layers"][v]["test"]["ari"][threshold_key(0.0)] for w in result["words"].values()])
        lines.append(f"| {view_name(v)} | {s['threshold']:.2f} | {_ari(s['mean_ari'])} | {_ari(split)} | "
                     + (_ari(s["mean_ari_gold_k"]) if s.get("mean_ari_gold_k") is not None else "-")
                     + f" | {s['mean_senses_found']:.2f} / {s['mean_gold_senses']:.2f}; "
                     f"{s['senses_found_exact']}/{len(result['words'])} | {s['control_one_sense']:.2f} | "
                     f"{s['nn_accuracy']:.1f} | {s['nn_macro_f1']:.1f} | {s['mfs_accuracy']:.1f} | "
                     f"{s['mfs_macro_f1']:.1f} |")
    return lines + ["", "1-NN: nearest train-sense centroid; MFS: most frequent train sense. The controls were "
                    "used for the choice: their column is not held out.", ""]


def _word_lines(result: dict) -> list[str]:
    layer, threshold = result["chosen"]["layer"], threshold_key(result["chosen"]["min_silhouette"])
    lines = [f"## Per word, test split ({view_name(layer)}, min_silhouette {threshold})", "",
             "| word | train / test | gold senses | found | silhouette | ARI | ARI at 0.00 | 1-NN acc | "
             "1-NN macro-F1 | MFS acc | MFS macro-F1 |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for word, w in result["words"].items():
        test, nn, mfs = w["layers"][layer]["test"], w["layers"][layer]["nearest_centroid"], w["most_frequent_sense"]
        lines.append(f"| {word} | {w['train']} / {w['test']} | {w['gold_senses']} | {test['senses_found'][threshold]} "
                     f"| {test['silhouette']:.3f} | {_ari(test['ari'][threshold])} | "
                     f"{_ari(test['ari'][threshold_key(0.0)])} | "
                     f"{nn['accuracy']:.1f} | {nn['macro_f1']:.1f} | {mfs['accuracy']:.1f} | {mfs['macro_f1']:.1f} |")
    s = result["test"][layer]
    split = np.mean([w["layers"][layer]["test"]["ari"][threshold_key(0.0)] for w in result["words"].values()])
    lines.append(f"| **mean** | | {s['mean_gold_senses']:.2f} | {s['mean_senses_found']:.2f} | | "
                 f"{_ari(s['mean_ari'])} | {_ari(split)} | {s['nn_accuracy']:.1f} | {s['nn_macro_f1']:.1f} | "
                 f"{s['mfs_accuracy']:.1f} | {s['mfs_macro_f1']:.1f} |")
    return lines
