#!/usr/bin/env python3
"""Plots ttrl metrics files (JSONL, one {"step": N, "time": t, "<name>": value, ...} object per line) as PNG curves.

    .venv/bin/python scripts/plot_metrics.py runs/x/metrics.jsonl [--out runs/x/plots] [--keys k1,k2,...]
    .venv/bin/python scripts/plot_metrics.py runs/a/metrics.jsonl runs/b/metrics.jsonl --labels A,B --out plots

Without --keys: one PNG per group of metrics (reward, ttrl, entropy, response_length, loss_kl, lr, throughput,
timing, other), one subplot per metric in the group, so that metrics of different scales stay readable.
With --keys: one PNG per listed key. Keys that are absent or only null are skipped (with a note on stderr).
Several files: their runs are overlaid in every subplot, with a legend (--labels, default: the files' directory
names); the default output directory is that of the first file.
When a step appears on several lines (a resumed run that was not truncated), the last line wins.
"""
import argparse
import json
import math
import os
import re
import sys

# Groups, in order; a metric belongs to the first group whose pattern matches its name.
GROUPS = [
    ("reward", r"^reward/"),
    ("ttrl", r"^ttrl/"),
    ("entropy", r"^entropy/"),
    ("response_length", r"^response_length/"),
    ("loss_kl", r"^actor/"),
    ("lr", r"^lr($|/)"),
    ("throughput", r"^throughput/"),
    ("timing", r"^timing/"),
    ("other", r""),
]


class UsageError(Exception):
    pass


def load_series(path):
    """{name: ([steps], [values])} of the finite numeric values in the file, sorted by step."""
    if not os.path.isfile(path):
        raise UsageError(f"metrics file '{path}' does not exist")
    by_step = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                step = int(record["step"])
            except (ValueError, KeyError, TypeError):
                print(f"note: {path}:{number}: not a metrics record, skipped", file=sys.stderr)
                continue
            by_step[step] = record
    if not by_step:
        raise UsageError(f"metrics file '{path}' is empty: no step has been logged")
    series = {}
    for step in sorted(by_step):
        for name, value in by_step[step].items():
            if name in ("step", "time") or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue  # null (non-finite when logged) or not a number
            if math.isfinite(value):
                steps, values = series.setdefault(name, ([], []))
                steps.append(step)
                values.append(value)
    return series


def group_of(name):
    return next(group for group, pattern in GROUPS if re.search(pattern, name))


def plot(pyplot, title, names, runs, out_file):
    """One figure, one subplot per metric name, grid of up to 3 columns; runs = [(label, series)], overlaid."""
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = pyplot.subplots(rows, cols, figsize=(5 * cols, 3.5 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        for label, series in runs:
            if name not in series:
                continue
            steps, values = series[name]
            ax.plot(steps, values, marker="." if len(steps) < 50 else None, linewidth=1.2, label=label)
        if len(runs) > 1:
            ax.legend(fontsize=8)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("step")
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    pyplot.close(fig)


def file_name(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "metric"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("metrics", nargs="+", help="metrics JSONL file(s) written by ttrl (e.g. runs/x/metrics.jsonl)")
    parser.add_argument("--out", help="directory for the PNG files (default: 'plots' next to the first metrics file)")
    parser.add_argument("--keys", help="comma-separated metric names: one PNG per key instead of per group")
    parser.add_argument("--labels", help="comma-separated legend labels, one per metrics file")
    args = parser.parse_args(argv)

    if args.labels:
        labels = [label.strip() for label in args.labels.split(",")]
        if len(labels) != len(args.metrics):
            print(f"error: --labels gives {len(labels)} labels for {len(args.metrics)} metrics files", file=sys.stderr)
            return 1
    else:
        labels = [os.path.basename(os.path.dirname(os.path.abspath(m))) or m for m in args.metrics]
    try:
        runs = [(label, load_series(path)) for label, path in zip(labels, args.metrics)]
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    out_dir = args.out or os.path.join(os.path.dirname(os.path.abspath(args.metrics[0])), "plots")
    available = set().union(*(series for _, series in runs))
    sources = ", ".join(args.metrics)

    if args.keys:
        wanted = [k.strip() for k in args.keys.split(",") if k.strip()]
        for key in wanted:
            if key not in available:
                print(f"note: '{key}' is absent or null in {sources}, skipped", file=sys.stderr)
        figures = [(key, [key], file_name(key)) for key in wanted if key in available]
    else:
        figures = []
        for group, _ in GROUPS:
            names = sorted(n for n in available if group_of(n) == group)
            if names:
                figures.append((group, names, group))
    if not figures:
        print(f"error: nothing to plot in {sources} (no finite values for the requested metrics)",
              file=sys.stderr)
        return 1

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    os.makedirs(out_dir, exist_ok=True)
    for title, names, stem in figures:
        out_file = os.path.join(out_dir, stem + ".png")
        plot(pyplot, title, names, runs, out_file)
        print(out_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
