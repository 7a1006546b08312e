#!/usr/bin/env python3
"""The README's demo numbers, from `ttrl demo` results.json files (never copied by hand).

  run    runs `ttrl demo` once per seed into OUT/<mode>-seed<S>/ (one thread each, --jobs at a time)
  table  rewrites a block of a Markdown file (the README's <!-- demo-table:begin --> ... <!-- demo-table:end -->, or
         another --marker) from results.json files: the full comparison of the first quick run with pinned kernels
         and no overrides, one row per run (the claims' margins), and the machine; with --rewards, the table of
         `ttrl demo --rewards` runs (one row per method, the seeds side by side)

Examples:
  .venv/bin/python scripts/demo_table.py run --seeds 0 1 2                  # ~3 min per seed, 2 at a time
  .venv/bin/python scripts/demo_table.py run --mode full --seeds 0 --jobs 1
  .venv/bin/python scripts/demo_table.py table runs/demo-table/*/results.json
  # every reward of `ttrl demo --rewards all`, seeds side by side, into the README's demo-rewards block:
  .venv/bin/python scripts/demo_table.py run --jobs 1 --tag rewards -- --rewards all
  .venv/bin/python scripts/demo_table.py table --rewards --marker demo-rewards runs/demo-table/rewards-quick-seed*/results.json
  # the same seeds with the libraries' own CPU kernels, and with another DARE alpha:
  ATEN_CPU_CAPABILITY=avx512 MKL_CBWR=AUTO ONEDNN_MAX_CPU_ISA=ALL .venv/bin/python scripts/demo_table.py run --tag native
  .venv/bin/python scripts/demo_table.py run --tag alpha0.5 -- --set reward.alpha=0.5
  .venv/bin/python scripts/demo_table.py table --readme docs/demo.md --marker demo-alpha --no-summary \
      runs/demo-table/quick-seed*/results.json runs/demo-table/alpha0.5-quick-seed*/results.json
"""
import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METHODS = [("ttrl", "TTRL", False), ("dare", "DARE", False), ("grpo_gt", "GT-GRPO", True)]


def run_one(ttrl, mode, seed, out, extra):
    cmd = [ttrl, "--log-level", "warn", "demo", f"--{mode}", "--seed", str(seed), "--output", out, "--no-progress",
           *extra]
    print("$", " ".join(cmd), flush=True)
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"demo_table: `{' '.join(cmd)}` failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return os.path.join(out, "results.json")


def cmd_run(args):
    prefix = f"{args.tag}-" if args.tag else ""
    jobs = [(seed, os.path.join(args.out, f"{prefix}{args.mode}-seed{seed}")) for seed in args.seeds]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        files = list(pool.map(lambda j: run_one(args.ttrl, args.mode, j[0], j[1], args.demo_args), jobs))
    print("\n".join(files))
    if args.table:
        write_table(args.readme, "demo-table", files, summary=True)


def load(path):
    try:
        with open(path) as f:
            r = json.load(f)
    except OSError as e:
        sys.exit(f"demo_table: cannot read {path}: {e.strerror}")
    except json.JSONDecodeError as e:
        sys.exit(f"demo_table: {path}:{e.lineno}:{e.colno}: not valid JSON ({e.msg})")
    for key in ("base", "settings", "machine", "seconds"):
        if key not in r:
            sys.exit(f"demo_table: {path} has no '{key}' (written by an older ttrl demo?)")
    return r


def delta(value, base):
    text = f"{value - base:+.1f}"
    return text + (f" ({100 * (value - base) / base:+.0f}%)" if base > 0 else "")


def comparison_table(r, k):
    """The demo's own table.md shape: base, each method and its delta."""
    a, m, p = f"avg@{k}", f"maj@{k}", f"pass@{k}"
    base = r["base"]
    rows = [f"| model | {a} | {m} | {p} |", "|---|---:|---:|---:|",
            f"| base (SFT warm start) | {base[a]:.1f} | {base[m]:.1f} | {base[p]:.1f} |"]
    for key, name, labels in METHODS:
        s = r[key]
        rows.append(f"| w/ {name}{' (true labels)' if labels else ''} | {s[a]:.1f} | {s[m]:.1f} | {s[p]:.1f} |")
        rows.append(f"| &nbsp;&nbsp;delta | {delta(s[a], base[a])} | {delta(s[m], base[m])} | {delta(s[p], base[p])} |")
    return rows


def kernels(r):
    """"pinned" for the demo's portable CPU kernels, else what ATen and MKL used."""
    mc = r["machine"]
    if mc["aten_cpu_capability"] == "AVX2" and mc["mkl_cbwr"] == "COMPATIBLE":
        return "pinned"
    return f"ATen {mc['aten_cpu_capability']}, MKL {mc['mkl_cbwr'] or 'AUTO'}"


def overrides(r):
    return " ".join(f"`{o}`" for o in r["settings"].get("overrides", [])) or "-"


def runs_table(results, k):
    """One row per run: the claims' margins (TTRL avg@k over the base's avg@k and over its maj@k)."""
    a, m = f"avg@{k}", f"maj@{k}"
    rows = [f"| mode | seed | CPU kernels | --set | base {a} / {m} | TTRL {a} / {m} | TTRL - base {a} "
            f"| TTRL - base {m} | DARE {a} / {m} | GT-GRPO {a} |",
            "|---|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        s, b, t, d = r["settings"], r["base"], r["ttrl"], r["dare"]
        rows.append(f"| {s['mode']} | {s['seed']} | {kernels(r)} | {overrides(r)} | {b[a]:.1f} / {b[m]:.1f} "
                    f"| {t[a]:.1f} / {t[m]:.1f} "
                    f"| {t[a] - b[a]:+.1f} | {t[a] - b[m]:+.1f} | {d[a]:.1f} / {d[m]:.1f} | {r['grpo_gt'][a]:.1f} |")
    return rows


def machine_line(results):
    seen = []
    for r in results:
        mc = r["machine"]
        text = (f"{mc['cpu_model']} ({'AVX-512' if mc['avx512'] else 'no AVX-512'}), {mc['threads']} thread per "
                f"run, torch {mc['torch']}, {r.get('date', 'date unknown')}")
        if text not in seen:
            seen.append(text)
    return "Machine: " + "; ".join(seen) + "."


def render(results, summary):
    results = sorted(results, key=lambda r: (overrides(r) != "-", kernels(r) != "pinned", r["settings"]["mode"] != "quick",
                                             r["settings"]["mode"], r["settings"]["seed"]))
    k = results[0]["settings"]["eval"]["k"]
    lines = []
    main = results[0]
    if summary:
        s = main["settings"]
        minutes = sum(main["seconds"].values()) / 60
        lines += [f"`build/bin/ttrl demo --{s['mode']} --seed {s['seed']}` ({minutes:.1f} minutes, run beside another "
                  f"demo on the 2 cores):", ""]
        lines += comparison_table(main, k)
        lines += ["", "Every run:", ""]
    lines += runs_table(results, k)
    lines += ["", machine_line(results)]
    return "\n".join(lines) + "\n"


def rewards_table(results):
    """`ttrl demo --rewards` runs, one row per method: its accuracies on each seed, and means over the seeds of the
    training statistics (label and reward accuracy, response length) and of the wall time."""
    results = sorted(results, key=lambda r: r["settings"]["seed"])
    k = results[0]["settings"]["eval"]["k"]
    a, m, p = f"avg@{k}", f"maj@{k}", f"pass@{k}"
    for r in results:
        if "methods" not in r:
            sys.exit("demo_table: --rewards needs results.json files of `ttrl demo --rewards` (they list their methods)")
    seeds = " / ".join(str(r["settings"]["seed"]) for r in results)

    def per_seed(key, metric):
        return " / ".join(f"{r[key][metric]:.1f}" for r in results)

    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    def percent(value):
        return "-" if value is None else f"{100 * value:.1f}"

    rows = [f"| method | reward | estimator | {a} (seeds {seeds}) | {m} | {p} | label acc. | reward acc. | length "
            f"| time (s) |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
            f"| base (SFT warm start) | - | - | {per_seed('base', a)} | {per_seed('base', m)} | {per_seed('base', p)} "
            f"| - | - | - | - |"]
    for method in results[0]["methods"]:
        key = method["key"]
        train = [r[key].get("train", {}) for r in results]
        estimator = method["adv_estimator"] + (f" (KL {method['kl_coef']:g})" if method["kl_coef"] > 0 else "")
        length = mean([t.get("response_length") for t in train])
        rows.append(f"| {method['name']}{' (true labels)' if method['uses_labels'] else ''} | {method['reward']} "
                    f"| {estimator} | {per_seed(key, a)} | {per_seed(key, m)} | {per_seed(key, p)} "
                    f"| {percent(mean([t.get('label_accuracy') for t in train]))} "
                    f"| {percent(mean([t.get('reward_accuracy') for t in train]))} "
                    f"| {'-' if length is None else f'{length:.1f}'} "
                    f"| {mean([r['seconds'].get(key) for r in results]):.0f} |")
    return rows


def write_table(path, marker, files, summary, rewards=False):
    results = [load(f) for f in files]
    begin, end = f"<!-- {marker}:begin -->", f"<!-- {marker}:end -->"
    with open(path) as f:
        text = f.read()
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        sys.exit(f"demo_table: {path} needs exactly one {begin} ... {end} block")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    block = "\n".join(rewards_table(results) + ["", machine_line(results)]) + "\n" if rewards else render(results, summary)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + block + end + tail)
    print(f"demo_table: {path} updated from {len(results)} results files")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the demo per seed")
    run.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    run.add_argument("--mode", choices=["quick", "full", "tiny"], default="quick")
    run.add_argument("--jobs", type=int, default=2, help="demos at a time (each uses one thread)")
    run.add_argument("--out", default=os.path.join(ROOT, "runs", "demo-table"))
    run.add_argument("--ttrl", default=os.path.join(ROOT, "build", "bin", "ttrl"))
    run.add_argument("--tag", default="", help="prefix of the run directories (e.g. native, alpha0.5)")
    run.add_argument("--table", action="store_true", help="then rewrite the README from these runs")
    run.add_argument("demo_args", nargs="*", help="after --: extra arguments of ttrl demo (e.g. --set reward.alpha=0.5)")
    run.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    table = sub.add_parser("table", help="rewrite the README's demo block from results.json files")
    table.add_argument("files", nargs="+")
    table.add_argument("--readme", default=os.path.join(ROOT, "README.md"), help="the Markdown file to rewrite")
    table.add_argument("--marker", default="demo-table", help="the block: <!-- MARKER:begin --> ... <!-- MARKER:end -->")
    table.add_argument("--no-summary", action="store_true", help="only the per-run table and the machine")
    table.add_argument("--rewards", action="store_true",
                       help="the table of `ttrl demo --rewards` runs (one row per method, seeds side by side)")
    args = parser.parse_args()
    if args.command == "run":
        cmd_run(args)
    else:
        write_table(args.readme, args.marker, args.files, summary=not args.no_summary, rewards=args.rewards)


if __name__ == "__main__":
    main()
