#!/usr/bin/env python3
"""Runs the benchmarks behind the README's table and writes that table from their result files.

  run     runs each benchmark (bench/bench_*.py, --repeats 3) one after the other, each writing
          bench/results/<name>.json (bench/bench_record.py describes the record), building the C++ tool it drives
          first if it is absent; then rewrites the README table (unless --no-table).
  table   reads bench/results/*.json and rewrites the README's benchmark table: only the lines between
          <!-- bench-table:begin --> and <!-- bench-table:end -->, nothing else in the file.

Every figure in the table is the median of the per-run values in the record (the benchmarks' --repeats), the ratio is
that of the medians, oriented so that > 1 means ttrl is better; the line under the table names the machine(s), the
date(s) and the commit(s) the figures came from. Benchmarks: generate, tokenizer, model_load, grpo_update
(grpo_update gives two rows: the update time and the peak memory of the log-prob pass).

examples:
  .venv/bin/python scripts/bench_table.py run                      # all four, one after another, then the table
  .venv/bin/python scripts/bench_table.py run --only generate      # one benchmark, then the table
  .venv/bin/python scripts/bench_table.py run --only generate --results /tmp/r --no-table -- --prompts 1 --n 2
                                                                   # a smoke run: extra arguments after --
  .venv/bin/python scripts/bench_table.py table                    # rewrite the README table from bench/results
  .venv/bin/python scripts/bench_table.py table --check            # exit 1 if the README table is out of date
  .venv/bin/python scripts/bench_table.py table --print            # print the table, touch nothing
"""
import argparse
import glob
import json
import os
import shlex
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench_record  # noqa: E402

BEGIN, END = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"
DEFAULT_RESULTS = os.path.join("bench", "results")
MIN_REPEATS = 3
BUILD = "build"  # the CMake build directory (relative to the repository root) of the tools below

# name -> (script, the C++ tool it drives (path, cmake target), arguments naming the tool). The table keeps this order.
BENCHMARKS = {
    "generate": ("bench/bench_generate.py", ("build/bin/ttrl", "ttrl_cli"), ["--ttrl", "build/bin/ttrl"]),
    "tokenizer": ("bench/bench_tokenizer.py", ("build/bin/bench_tokenizer", "bench_tokenizer"),
                  ["--bench", "build/bin/bench_tokenizer"]),
    "model_load": ("bench/bench_model_load.py", ("build/bench/bench_model_load", "bench_model_load"),
                   ["--tool", "build/bench/bench_model_load"]),
    "grpo_update": ("bench/bench_grpo_update.py", ("build/bench/bench_grpo_update", "bench_grpo_update"),
                    ["--tool", "build/bench/bench_grpo_update"]),
}


# ---------------------------------------------------------------------------------------------------------- table


def fmt(value):
    """3 significant figures, no exponent: 245, 36.1, 4.9, 0.712; 5036 stays 5036."""
    if value is None:
        return "?"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def reproduce_command(record):
    """The recorded command without its --json PATH (where the result went is not part of what was measured)."""
    words = shlex.split(record.get("command", ""))
    out, skip = [], False
    for w in words:
        if skip:
            skip = False
        elif w == "--json":
            skip = True
        elif not w.startswith("--json="):
            out.append(w)
    return shlex.join(out)


def load_records(results_dir):
    records = []
    for path in sorted(glob.glob(os.path.join(results_dir, "*.json"))):
        with open(path, encoding="utf-8") as f:
            rec = json.load(f)
        if rec.get("schema") != bench_record.SCHEMA or not isinstance(rec.get("rows"), list):
            raise SystemExit(f"{path}: not a benchmark record of schema {bench_record.SCHEMA}")
        rec["_path"] = path
        records.append(rec)
    order = list(BENCHMARKS)
    records.sort(key=lambda r: (order.index(r["benchmark"]) if r["benchmark"] in order else len(order), r["benchmark"]))
    return records


def row_figures(row):
    """(ttrl median, reference median, ratio, repeats) from the per-run values (the recorded medians if none)."""
    t = bench_record.median(row.get("ttrl_repeats") or []) if row.get("ttrl_repeats") else row.get("ttrl")
    r = bench_record.median(row.get("reference_repeats") or []) if row.get("reference_repeats") else row.get("reference")
    n = min(len(row.get("ttrl_repeats") or [None]), len(row.get("reference_repeats") or [None]))
    return t, r, bench_record.ratio(t, r, row.get("better", "higher")), n


def machine_text(m):
    avx = "AVX-512" if m.get("avx512f") else "no AVX-512"
    return f"{m.get('cpu_model', 'unknown CPU')} ({m.get('nproc', '?')} CPUs, {avx}, torch {m.get('torch', '?')})"


def provenance(records):
    """The line(s) under the table: runs per figure, machine(s), date(s), commit(s)."""
    lines = []
    counts = {}
    for rec in records:
        for row in rec["rows"]:
            counts.setdefault(row_figures(row)[3], []).append(rec["benchmark"])
    if len(counts) == 1:
        runs = f"Each figure is the median of {next(iter(counts))} runs"
    else:
        runs = "Each figure is the median of " + "; ".join(
            f"{n} runs ({', '.join(dict.fromkeys(names))})" for n, names in sorted(counts.items()))
    groups = {}
    for rec in records:
        m = rec.get("machine", {})
        key = (m.get("cpu_model"), m.get("nproc"), m.get("avx512f"), m.get("torch"))
        groups.setdefault(key, []).append(rec)
    parts = []
    for recs in groups.values():
        dates = sorted({(r.get("date_utc") or "?")[:10] for r in recs})
        commits = list(dict.fromkeys(f"{r.get('git_commit') or '?'}{'-dirty' if r.get('git_dirty') else ''}"
                                     for r in recs))
        loads = [r["machine"]["loadavg_start"][0] for r in recs if (r.get("machine") or {}).get("loadavg_start")]
        text = f"{machine_text(recs[0].get('machine', {}))}, {', '.join(dates)} (UTC), commit {', '.join(commits)}"
        if loads:
            low, high = min(loads), max(loads)
            text += f", 1-min load average {low:.1f}" + (f"-{high:.1f}" if high != low else "") + " at the start"
        if len(groups) > 1:
            text = ", ".join("`%s`" % r["benchmark"] for r in recs) + ": " + text
        parts.append(text)
    lines.append(f"{runs} (every run's value is in `bench/results/<name>.json`). Measured on "
                 + ("; ".join(parts) if len(parts) > 1 else parts[0]) + ".")
    lines.append("Reproduce a row with its command (from the repository root), or re-run and rewrite this table with "
                 "`.venv/bin/python scripts/bench_table.py run [--only NAME]` (names: "
                 + ", ".join(f"`{n}`" for n in BENCHMARKS) + "); `scripts/bench_table.py table` rewrites it "
                 "from the result files.")
    return lines


def render(records):
    """The Markdown between the markers (no markers), ending with a newline."""
    if not records:
        raise SystemExit("no benchmark records: run `scripts/bench_table.py run` first")
    out = ["| what | ttrl | reference | ratio | how to reproduce |", "|---|---|---|---|---|"]
    for rec in records:
        command = reproduce_command(rec)
        for row in rec["rows"]:
            t, r, ratio, _ = row_figures(row)
            unit = row.get("unit", "")
            suffix = row.get("ratio_suffix", "x")
            out.append("| " + " | ".join(cell(c) for c in (
                row.get("what", rec["benchmark"]), f"{fmt(t)} {unit}", f"{row.get('reference_name', 'reference')} "
                f"{fmt(r)} {unit}", f"{fmt(ratio)}{suffix}")) + f" | `{cell(command)}` |")
    return "\n".join(out + [""] + provenance(records)) + "\n"


def replace_table(text, body):
    """text with the lines between the markers replaced by body; ValueError if the markers are not there once each."""
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise ValueError(f"README must contain {BEGIN} and {END} exactly once each")
    begin = text.index(BEGIN) + len(BEGIN)
    end = text.index(END)
    if end < begin:
        raise ValueError(f"{END} comes before {BEGIN}")
    newline = "\r\n" if text[begin:begin + 2] == "\r\n" else "\n"
    return text[:begin] + newline + body.replace("\n", newline) + text[end:]


def warn_few_repeats(records):
    for rec in records:
        for row in rec["rows"]:
            n = row_figures(row)[3]
            if n < MIN_REPEATS:
                print(f"warning: {rec['_path']}: row {row.get('id')!r} has {n} run(s), fewer than {MIN_REPEATS}",
                      file=sys.stderr)


def cmd_table(args):
    records = load_records(args.results)
    warn_few_repeats(records)
    body = render(records)
    if args.print:
        sys.stdout.write(body)
        return 0
    with open(args.readme, encoding="utf-8", newline="") as f:
        text = f.read()
    try:
        new = replace_table(text, body)
    except ValueError as e:
        print(f"{args.readme}: {e}", file=sys.stderr)
        return 2
    if new == text:
        print(f"{args.readme}: benchmark table up to date ({len(records)} result files)")
        return 0
    if args.check:
        print(f"{args.readme}: benchmark table differs from {args.results}/*.json; run `scripts/bench_table.py table`",
              file=sys.stderr)
        return 1
    # Read again just before writing and replace only between the markers, so that an edit made elsewhere in the
    # file meanwhile is kept.
    with open(args.readme, encoding="utf-8", newline="") as f:
        new = replace_table(f.read(), body)
    with open(args.readme, "w", encoding="utf-8", newline="") as f:
        f.write(new)
    print(f"{args.readme}: benchmark table rewritten from {len(records)} result files")
    return 0


# ------------------------------------------------------------------------------------------------------------ run


def python():
    venv = os.path.join(".venv", "bin", "python")
    return venv if os.path.exists(os.path.join(ROOT, venv)) else sys.executable


def ensure_tool(path, target):
    if os.path.exists(os.path.join(ROOT, path)):
        return
    if not os.path.exists(os.path.join(ROOT, BUILD, "CMakeCache.txt")):
        raise SystemExit(f"{path} is absent and {BUILD}/ is not configured: run scripts/setup.sh first")
    command = ["cmake", "--build", BUILD, "--target", target]
    print("+ " + shlex.join(command), flush=True)
    subprocess.run(command, cwd=ROOT, check=True)


def cmd_run(args):
    names = []
    for item in args.only or []:
        names += [n.strip() for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    names = names or list(BENCHMARKS)
    extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
    if extra and len(names) != 1:
        raise SystemExit("extra benchmark arguments need exactly one --only NAME")
    try:
        load = os.getloadavg()[0] if not args.dry_run else 0.0
        if load > 0.5 * bench_record.nproc():
            print(f"warning: load average {load:.1f} on {bench_record.nproc()} CPUs: the figures will be noisy "
                  "(it is recorded with them)", file=sys.stderr)
    except OSError:
        pass
    # The benchmarks run from the repository root: --results relative to the root when it lies inside it.
    results = os.path.abspath(args.results)
    if results.startswith(ROOT + os.sep):
        results = os.path.relpath(results, ROOT)
    if args.dry_run:
        print(shlex.join(["cd", ROOT]))
    failed = []
    for name in names:
        script, (tool, target), tool_args = BENCHMARKS[name]
        out = os.path.join(results, f"{name}.json")
        command = [python(), script, *tool_args, "--repeats", str(args.repeats), "--json", out, *extra]
        if args.dry_run:
            if not os.path.exists(os.path.join(ROOT, tool)):
                print(shlex.join(["cmake", "--build", BUILD, "--target", target]))
            print(shlex.join(command))
            continue
        ensure_tool(tool, target)
        print(f"\n=== {name}: {shlex.join(command)}", flush=True)
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            print(f"=== {name} FAILED ({out} left as it was)", file=sys.stderr)
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    if not args.no_table and not args.dry_run:
        status = cmd_table(argparse.Namespace(results=os.path.join(ROOT, results), readme=args.readme, check=False,
                                              print=False))
        if status:
            return status
    return 1 if failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run benchmarks, write bench/results/<name>.json, then the README table",
                         description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("--only", action="append", metavar="NAME",
                     help=f"run only this benchmark (repeatable, or comma-separated): {', '.join(BENCHMARKS)}")
    run.add_argument("--repeats", type=int, default=3, help="--repeats given to each benchmark (default 3)")
    run.add_argument("--results", default=os.path.join(ROOT, DEFAULT_RESULTS),
                     help="where the records go (default bench/results)")
    run.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    run.add_argument("--no-table", action="store_true", help="do not rewrite the README table afterwards")
    run.add_argument("--dry-run", action="store_true", help="print the commands (run from the repository root) only")
    run.add_argument("extra", nargs=argparse.REMAINDER,
                     help="after --: extra arguments for the one benchmark of --only (e.g. smaller sizes)")
    table = sub.add_parser("table", help="rewrite the README table from bench/results/*.json",
                           description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    table.add_argument("--results", default=os.path.join(ROOT, DEFAULT_RESULTS),
                       help="directory of the records (default bench/results)")
    table.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    mode = table.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 if the README table is out of date")
    mode.add_argument("--print", action="store_true", help="print the table to stdout; write nothing")
    args = parser.parse_args(argv)
    if args.command == "run":
        if args.repeats < 1:
            parser.error("--repeats must be >= 1")
        return cmd_run(args)
    return cmd_table(args)


if __name__ == "__main__":
    sys.exit(main())
