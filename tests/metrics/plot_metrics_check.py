"""scripts/plot_metrics.py on a metrics JSONL written here: one non-empty PNG per group (or per requested key),
absent/null keys skipped, clear errors for a missing or empty file.

usage: plot_metrics_check.py PATH/TO/plot_metrics.py"""
import json, os, subprocess, sys, tempfile

try:
    import matplotlib  # noqa: F401
except ImportError:
    print("skip: matplotlib is not importable"); sys.exit(77)

script = sys.argv[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(*args):
    return subprocess.run([sys.executable, script, *args], capture_output=True, text=True)


def assert_pngs(directory, names):
    assert sorted(os.listdir(directory)) == sorted(names), (os.listdir(directory), names)
    for name in names:
        with open(os.path.join(directory, name), "rb") as f:
            head = f.read(8)
        assert head == PNG_SIGNATURE and os.path.getsize(os.path.join(directory, name)) > 1000, name


with tempfile.TemporaryDirectory() as d:
    metrics = os.path.join(d, "metrics.jsonl")
    with open(metrics, "w") as f:
        for step in range(1, 21):
            record = {"step": step, "time": 1.7e9 + step,
                      "reward/mean": step / 20, "reward/std": 0.1,
                      "ttrl/label_accuracy": 0.5 + step / 100, "ttrl/reward_accuracy": None if step == 3 else 0.7,
                      "entropy/mean": 0.4, "response_length/mean": 100 + step,
                      "actor/pg_loss": -0.01 * step, "actor/kl": 1e-4 * step, "actor/grad_norm": 0.5,
                      "lr": 5e-7, "throughput/tokens_per_s": 1000.0, "timing/generate_s": 2.5,
                      "all_null/metric": None}
            f.write(json.dumps(record) + "\n")
        f.write('{"step": 21, "rew')  # a line torn by a crash is skipped

    # Groups: the default output directory is 'plots' next to the file.
    r = run(metrics)
    assert r.returncode == 0, r.stderr
    assert_pngs(os.path.join(d, "plots"), [g + ".png" for g in
                ("reward", "ttrl", "entropy", "response_length", "loss_kl", "lr", "throughput", "timing")])

    # Requested keys: absent and all-null keys are skipped with a note.
    out = os.path.join(d, "keys")
    r = run(metrics, "--out", out, "--keys", "reward/mean,actor/kl,missing/key,all_null/metric")
    assert r.returncode == 0, r.stderr
    assert "missing/key" in r.stderr and "all_null/metric" in r.stderr, r.stderr
    assert_pngs(out, ["reward_mean.png", "actor_kl.png"])

    # Errors name the file.
    missing = os.path.join(d, "nope.jsonl")
    r = run(missing)
    assert r.returncode != 0 and missing in r.stderr and "does not exist" in r.stderr, r.stderr
    empty = os.path.join(d, "empty.jsonl")
    open(empty, "w").close()
    r = run(empty)
    assert r.returncode != 0 and empty in r.stderr and "empty" in r.stderr, r.stderr
    r = run(metrics, "--out", os.path.join(d, "none"), "--keys", "missing/key")
    assert r.returncode != 0 and "nothing to plot" in r.stderr, r.stderr

    # Several runs overlaid: one PNG per key, keys present in any run; --labels must match the files.
    other = os.path.join(d, "other.jsonl")
    with open(other, "w") as f:
        for step in range(0, 11):
            f.write(json.dumps({"step": step, "time": 1.7e9 + step, "reward/mean": 0.3, "eval/avg@16": 40.0 + step}) + "\n")
    out = os.path.join(d, "runs")
    r = run(metrics, other, "--labels", "A,B", "--out", out, "--keys", "reward/mean,eval/avg@16")
    assert r.returncode == 0, r.stderr
    assert_pngs(out, ["reward_mean.png", "eval_avg_16.png"])
    r = run(metrics, other, "--labels", "A", "--out", out)
    assert r.returncode != 0 and "2 metrics files" in r.stderr, r.stderr

print("ok: plot_metrics.py wrote the expected PNG files and rejected missing/empty inputs")
