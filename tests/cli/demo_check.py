"""`ttrl demo` end to end.

  tiny   (seconds): every file and field the demo promises, the step-0/final evaluations in each run's metrics
         agreeing with results.json, the same results for the same seed, clear errors for bad flags, and
         --rewards (every method, or a list) with its wide table.
  quick  (minutes): the same files, and the paper's claims with their margins on each seed: TTRL avg@16 at least
         10 points above the base's avg@16 and at least 3 points above the base's maj@16 (the vote of 16 base
         samples). CI checks seed 0; the `slow` test checks seeds 0, 1 and 2.

usage: demo_check.py TTRL_BINARY SOURCE_DIR tiny|quick [SEED[,SEED...]]"""
import json
import os
import subprocess
import sys
import tempfile

ttrl, source_dir, mode = sys.argv[1], sys.argv[2], sys.argv[3]
seeds = (sys.argv[4] if len(sys.argv) > 4 else "0").split(",")
MIN_GAIN_OVER_BASE_AVG = 10.0  # points of avg@16
MIN_GAIN_OVER_BASE_MAJ = 3.0   # points: TTRL's single samples beat the base's vote of 16 by this much
METHODS = ["ttrl", "dare", "grpo_gt"]
K = 16


def demo(out, seed, *extra):
    cmd = [ttrl, "--log-level", "warn", "demo", f"--{mode}", "--output", out, "--seed", seed, "--no-progress", *extra]
    return subprocess.run(cmd, cwd=source_dir, capture_output=True, text=True)


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return []


def check_machine(machine):
    """The demo pins the CPU kernels (ATen AVX2, MKL's COMPATIBLE branch) unless the environment already chose."""
    assert machine["cpu_model"] and machine["threads"] == 1 and machine["torch"], machine
    flags = cpu_flags()
    if "avx2" in flags and "fma" in flags and "ATEN_CPU_CAPABILITY" not in os.environ:
        assert machine["aten_cpu_capability"] == "AVX2", machine
    if "MKL_CBWR" not in os.environ and flags:
        assert machine["mkl_cbwr"] == "COMPATIBLE", machine
    assert machine["avx512"] == ("avx512f" in flags), machine


def check_outputs(out, printed, seed):
    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    for run in ["base"] + METHODS:
        assert run in results, f"results.json lacks '{run}': {sorted(results)}"
        for metric in (f"avg@{K}", f"maj@{K}", f"pass@{K}"):
            value = results[run][metric]
            assert isinstance(value, (int, float)) and 0 <= value <= 100, (run, metric, value)
    assert results["settings"]["mode"] == mode and str(results["settings"]["seed"]) == seed, results["settings"]
    check_machine(results["machine"])

    with open(os.path.join(out, "table.md")) as f:
        table = f.read()
    assert table in printed, "the table is not printed"
    for row in ("base", "w/ TTRL", "w/ DARE", "w/ GT-GRPO", "delta"):
        assert row in table, f"table lacks '{row}':\n{table}"

    # Data: held-out test questions never seen in the supervised set.
    test = [r["prompt"] for r in read_jsonl(os.path.join(out, "data", "test.jsonl"))]
    sft = {r["prompt"] for r in read_jsonl(os.path.join(out, "data", "sft.jsonl"))}
    assert test and sft and not (set(test) & sft), "the test questions overlap the supervised ones"
    assert os.path.isfile(os.path.join(out, "base", "model", "config.json"))
    assert os.path.isfile(os.path.join(out, "base", "eval.json"))

    # Each run: its metrics start at the base's evaluation (step 0) and end at its own final one.
    for m in METHODS:
        lines = read_jsonl(os.path.join(out, m, "metrics.jsonl"))
        assert lines[0]["step"] == 0 and abs(lines[0][f"eval/avg@{K}"] - results["base"][f"avg@{K}"]) < 1e-9, lines[0]
        last = lines[-1]
        assert abs(last[f"eval/avg@{K}"] - results[m][f"avg@{K}"]) < 1e-9, (m, last)
        assert abs(last[f"eval/maj@{K}"] - results[m][f"maj@{K}"]) < 1e-9, (m, last)
        for key in ("reward/mean", "ttrl/label_accuracy", "ttrl/reward_accuracy", "entropy/mean"):
            assert all(key in line for line in lines[1:]), f"{m}/metrics.jsonl: a step lacks {key}"
        assert os.path.isfile(os.path.join(out, m, "eval.json"))

    # Plots need the repository's .venv; without it the demo prints the command instead.
    if os.path.exists(os.path.join(source_dir, ".venv", "bin", "python")):
        for name in ("eval_avg_16", "eval_maj_16", "ttrl_label_accuracy", "ttrl_reward_accuracy", "entropy_mean"):
            png = os.path.join(out, "plots", name + ".png")
            with open(png, "rb") as f:
                assert f.read(8) == b"\x89PNG\r\n\x1a\n", png
    return results


def without_timing(results):
    return {k: v for k, v in results.items() if k not in ("seconds", "files", "date")}


def check_claims(results, seed):
    base, ttrl_result = results["base"], results["ttrl"]
    avg, maj = f"avg@{K}", f"maj@{K}"
    gain = ttrl_result[avg] - base[avg]
    assert gain >= MIN_GAIN_OVER_BASE_AVG, \
        f"seed {seed}: TTRL {avg} gained only {gain:.1f} points over the base's (>= {MIN_GAIN_OVER_BASE_AVG}): {results}"
    margin = ttrl_result[avg] - base[maj]
    assert margin >= MIN_GAIN_OVER_BASE_MAJ, \
        f"seed {seed}: TTRL {avg} is {margin:+.1f} points from the base's {maj} (>= {MIN_GAIN_OVER_BASE_MAJ}): {results}"
    print(f"seed {seed}: TTRL {avg} {ttrl_result[avg]:.1f}: {gain:+.1f} over the base's {avg}, {margin:+.1f} over its {maj}")


def check_tiny(tmp, out, results, seed):
    again = demo(os.path.join(tmp, "again"), seed, "--no-plots")
    assert again.returncode == 0, again.stderr[-3000:]
    with open(os.path.join(tmp, "again", "results.json")) as f:
        assert without_timing(json.load(f)) == without_timing(results), "same seed, different results"

    bad = subprocess.run([ttrl, "demo", "--tiny", "--quick"], capture_output=True, text=True)
    assert bad.returncode != 0 and "excludes" in (bad.stderr + bad.stdout), bad.stderr
    bad = subprocess.run([ttrl, "demo", "--tiny", "--output", os.path.join(tmp, "bad"), "--set", "rollout.n_vote=0"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "rollout.n_vote" in bad.stderr, (bad.returncode, bad.stderr)
    bad = subprocess.run([ttrl, "demo", "--seed", "minus-one"], capture_output=True, text=True)
    assert bad.returncode != 0, bad.stderr


REWARD_METHODS = ["ttrl", "dare", "srt", "empo", "intuitor", "rent", "co_reward", "rlpr", "grpo_gt", "rlpr_gt",
                  "reinforce_pp_gt", "rloo_gt"]


def check_rewards_tiny(tmp, seed):
    """--rewards all: every method is run, listed and tabled; --rewards LIST picks; an unknown key is named."""
    out = os.path.join(tmp, "rewards")
    r = demo(out, seed, "--rewards", "all", "--no-plots")
    assert r.returncode == 0, r.stderr[-3000:]
    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    assert [m["key"] for m in results["methods"]] == REWARD_METHODS, results["methods"]
    for key in REWARD_METHODS:
        assert f"avg@{K}" in results[key] and "train" in results[key], (key, results[key])
        assert os.path.isfile(os.path.join(out, key, "metrics.jsonl")), key
    # INTUITOR and RENT judge no answers: no label or reward accuracy; the others have both.
    assert results["intuitor"]["train"]["label_accuracy"] is None and results["rent"]["train"]["reward_accuracy"] is None
    assert results["grpo_gt"]["train"]["label_accuracy"] == 1.0, results["grpo_gt"]["train"]
    gt_pp = next(m for m in results["methods"] if m["key"] == "reinforce_pp_gt")
    assert gt_pp["adv_estimator"] == "reinforce_pp" and gt_pp["kl_coef"] > 0, gt_pp
    with open(os.path.join(out, "table.md")) as f:
        table = f.read()
    assert table.startswith(f"| method | reward | estimator | avg@{K} | maj@{K} | pass@{K} | label acc. |"), table
    assert "| Co-rewarding-I | co_reward | grpo |" in table and "| GT-RLOO (true labels) | ground_truth | rloo |" in table

    some = demo(os.path.join(tmp, "some"), seed, "--rewards", "rent,ttrl", "--no-plots")
    assert some.returncode == 0, some.stderr[-3000:]
    with open(os.path.join(tmp, "some", "results.json")) as f:
        assert [m["key"] for m in json.load(f)["methods"]] == ["ttrl", "rent"]
    bad = demo(os.path.join(tmp, "bad-rewards"), seed, "--rewards", "ttrl,intutor")
    assert bad.returncode != 0 and "--rewards: unknown method 'intutor' (did you mean 'intuitor'?" in bad.stderr, bad.stderr


for seed in seeds:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "demo")
        r = demo(out, seed)
        assert r.returncode == 0, r.stderr[-3000:]
        results = check_outputs(out, r.stdout, seed)
        if mode == "tiny":
            check_tiny(tmp, out, results, seed)
            check_rewards_tiny(tmp, seed)
        else:
            check_claims(results, seed)
    print(f"ok: ttrl demo --{mode} (seed {seed})")
