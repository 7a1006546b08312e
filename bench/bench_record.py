"""Result records of the benchmarks behind the README's table (bench/bench_*.py --json PATH).

One record per benchmark run, one JSON object:

    {"schema": 1, "benchmark": "generate", "script": "bench/bench_generate.py",
     "command": "OMP_NUM_THREADS=2 .venv/bin/python bench/bench_generate.py --repeats 3 --json ...", "argv": [...],
     "date_utc": "2025-01-31T12:00:00Z", "git_commit": "bd89692", "git_dirty": false,
     "machine": {"cpu_model": ..., "nproc": 2, "avx512f": true, "threads": 2, "torch": "2.5.1", "loadavg_start": [...]},
     "workload": {...the script's parameters...}, "repeats": 3,
     "rows": [{"id": ..., "what": ..., "unit": "tok/s", "better": "higher",
               "ttrl": median, "ttrl_repeats": [...], "reference": median, "reference_repeats": [...],
               "reference_name": "transformers generate()", "ratio": ..., "ratio_definition": "ttrl / reference ...",
               "ratio_suffix": "x", "repeats": 3}],
     "details": {...other measures the script prints, not in the README...}}

"ratio" is always oriented so that > 1 means ttrl is better: ttrl / reference when higher is better (throughput),
reference / ttrl when lower is better (seconds, MiB). scripts/bench_table.py turns records into the README's table.
Standard library only (bench_tokenizer.py does not import torch).
"""
import datetime
import importlib.metadata
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = 1
# Environment variables that change what a benchmark measures; recorded, and put in front of the command.
THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "TTRL_NUM_THREADS")


def cpu_info(path="/proc/cpuinfo"):
    """(model name, whether avx512f is among the flags) of the first processor in /proc/cpuinfo."""
    model, flags = "unknown", set()
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "model name" and model == "unknown":
                    model = value.strip()
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    return model, "avx512f" in flags


def nproc():
    """What `nproc` prints: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def torch_version():
    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None


def machine(threads):
    model, avx512f = cpu_info()
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {"cpu_model": model, "nproc": nproc(), "avx512f": avx512f, "threads": threads, "torch": torch_version(),
            "loadavg_start": load}


def git(*args):
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def command_line(argv=None):
    """The command as run from the repository root: thread variables, interpreter, script and arguments."""
    argv = list(sys.argv if argv is None else argv)
    python = sys.executable
    if python and os.path.abspath(python).startswith(ROOT + os.sep):
        # .venv/bin/python, not the resolved /usr/bin/python3.x it links to
        python = os.path.relpath(os.path.abspath(python), ROOT)
    if argv and os.path.isfile(argv[0]) and os.path.abspath(argv[0]).startswith(ROOT + os.sep):
        argv[0] = os.path.relpath(os.path.abspath(argv[0]), ROOT)
    env = [f"{k}={os.environ[k]}" for k in THREAD_ENV if k in os.environ]
    return " ".join(env + [shlex.quote(python)] + [shlex.quote(a) for a in argv])


def median(values):
    return statistics.median(values) if values else None


def ratio(ttrl, reference, better):
    """> 1 when ttrl is better: ttrl / reference for higher-is-better units, reference / ttrl for lower-is-better."""
    if ttrl is None or reference is None:
        return None
    if better == "higher":
        return ttrl / reference if reference else None
    return reference / ttrl if ttrl else None


def ratio_definition(better, unit):
    if better == "higher":
        return f"ttrl / reference ({unit}, higher is better; > 1: ttrl faster)"
    return f"reference / ttrl ({unit}, lower is better; > 1: ttrl uses less)"


def row(id, what, unit, better, ttrl_repeats, reference_repeats, reference_name, ratio_suffix="x", **extra):
    """One README row from per-repeat values: the medians and their ratio."""
    assert better in ("higher", "lower")
    ttrl_repeats, reference_repeats = [float(v) for v in ttrl_repeats], [float(v) for v in reference_repeats]
    t, r = median(ttrl_repeats), median(reference_repeats)
    out = {"id": id, "what": what, "unit": unit, "better": better,
           "ttrl": t, "ttrl_repeats": ttrl_repeats, "reference": r, "reference_repeats": reference_repeats,
           "reference_name": reference_name, "ratio": ratio(t, r, better), "ratio_definition": ratio_definition(better, unit),
           "ratio_suffix": ratio_suffix, "repeats": min(len(ttrl_repeats), len(reference_repeats))}
    out.update(extra)
    return out


def begin(threads):
    """Taken when the benchmark starts: the date, the machine and its load average then."""
    return {"date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": machine(threads), "_start": time.monotonic()}


def record(meta, benchmark, script, workload, rows, repeats, details=None):
    """The whole record; meta is begin()'s result."""
    cwd = os.getcwd()
    return {"schema": SCHEMA, "benchmark": benchmark, "script": script, "command": command_line(),
            "argv": list(sys.argv), "cwd": os.path.relpath(cwd, ROOT) if cwd.startswith(ROOT) else cwd,
            "env": {k: os.environ[k] for k in THREAD_ENV if k in os.environ},
            "date_utc": meta["date_utc"], "wall_seconds": round(time.monotonic() - meta["_start"], 1),
            "git_commit": git("rev-parse", "--short", "HEAD"),
            "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "machine": meta["machine"], "workload": workload, "repeats": repeats, "rows": rows,
            "details": details or {}}


def write(path, rec):
    """Writes the record (atomically: a failed run leaves an earlier file as it was)."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(rec, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    print(f"wrote {path}")
