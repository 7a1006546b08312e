"""scripts/demo_table.py `table`: the README block it writes from results.json files (no demo is run).

usage: demo_table_check.py SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

source_dir = sys.argv[1]
script = os.path.join(source_dir, "scripts", "demo_table.py")


def result(seed, base, ttrl, kernels=("AVX2", "COMPATIBLE"), overrides=()):
    def summary(avg, maj):
        return {"avg@16": avg, "maj@16": maj, "pass@16": 100.0}
    return {"base": summary(*base), "ttrl": summary(*ttrl), "dare": summary(80.0, 90.0), "grpo_gt": summary(95.0, 100.0),
            "settings": {"mode": "quick", "seed": seed, "eval": {"k": 16}, "overrides": list(overrides)},
            "machine": {"cpu_model": "Test CPU", "avx512": False, "threads": 1, "aten_cpu_capability": kernels[0],
                        "mkl_cbwr": kernels[1], "torch": "2.15.0"},
            "seconds": {"sft": 90.0, "ttrl": 60.0}, "date": "2026-12-04"}


with tempfile.TemporaryDirectory() as tmp:
    files = []
    for name, r in [("a", result(1, (40.0, 70.0), (85.0, 90.0))),
                    ("b", result(0, (39.2, 75.0), (94.7, 95.3))),
                    ("c", result(0, (50.0, 80.0), (70.0, 75.0), kernels=("AVX512", ""))),
                    ("d", result(0, (39.2, 75.0), (94.7, 95.3), overrides=["reward.alpha=0.5"]))]:
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as f:
            json.dump(r, f)
        files.append(path)
    readme = os.path.join(tmp, "README.md")
    with open(readme, "w") as f:
        f.write("before\n<!-- demo-table:begin -->\nstale\n<!-- demo-table:end -->\nafter\n")
    r = subprocess.run([sys.executable, script, "table", "--readme", readme, *files], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(readme) as f:
        text = f.read()
    assert text.startswith("before\n<!-- demo-table:begin -->\n") and text.endswith("<!-- demo-table:end -->\nafter\n")
    assert "stale" not in text
    # The summary is seed 0 with pinned kernels and no overrides, whatever the order of the files.
    assert "`build/bin/ttrl demo --quick --seed 0` (2.5 minutes" in text, text
    assert "| w/ TTRL | 94.7 | 95.3 | 100.0 |" in text and "| &nbsp;&nbsp;delta | +55.5 (+142%) |" in text, text
    rows = [line for line in text.splitlines() if line.startswith("| quick |")]
    assert len(rows) == 4, rows
    # Pinned rows first (by seed), then other kernels, then overrides; margins over the base's avg@16 and maj@16.
    assert rows[0].startswith("| quick | 0 | pinned | - | 39.2 / 75.0 | 94.7 / 95.3 | +55.5 | +19.7 |"), rows[0]
    assert rows[1].startswith("| quick | 1 | pinned | - | 40.0 / 70.0 | 85.0 / 90.0 | +45.0 | +15.0 |"), rows[1]
    assert rows[2].startswith("| quick | 0 | ATen AVX512, MKL AUTO | - |"), rows[2]
    assert rows[3].startswith("| quick | 0 | pinned | `reward.alpha=0.5` |"), rows[3]
    assert "Machine: Test CPU (no AVX-512), 1 thread per run, torch 2.15.0, 2026-12-04." in text

    # A missing or malformed results file is an error naming it, not a traceback.
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write("{not json")
    for path, words in ((os.path.join(tmp, "missing.json"), "cannot read"), (bad, "bad.json:1:2: not valid JSON")):
        r = subprocess.run([sys.executable, script, "table", "--readme", readme, path], capture_output=True, text=True)
        assert r.returncode != 0 and words in r.stderr and "Traceback" not in r.stderr, r.stderr

    # A file without the block is refused and left as it was.
    with open(readme, "w") as f:
        f.write("no block\n")
    r = subprocess.run([sys.executable, script, "table", "--readme", readme, files[0]], capture_output=True, text=True)
    assert r.returncode != 0 and "demo-table:begin" in r.stderr, r.stderr
    with open(readme) as f:
        assert f.read() == "no block\n"

    # --rewards: one row per method of `ttrl demo --rewards`, the seeds side by side, means of the training statistics.
    rewards_files = []
    for seed, avg in ((1, 90.0), (0, 80.0)):
        r = result(seed, (40.0, 70.0), (avg, 95.0))
        r["methods"] = [{"key": "ttrl", "name": "TTRL", "reward": "majority_vote", "adv_estimator": "grpo", "kl_coef": 0.0,
                         "uses_labels": False},
                        {"key": "grpo_gt", "name": "GT-REINFORCE++", "reward": "ground_truth",
                         "adv_estimator": "reinforce_pp", "kl_coef": 0.001, "uses_labels": True}]
        r["ttrl"]["train"] = {"label_accuracy": 0.5 + seed / 10, "reward_accuracy": None, "response_length": 20.0 + seed}
        r["grpo_gt"]["train"] = {"label_accuracy": 1.0, "reward_accuracy": 1.0, "response_length": 30.0}
        r["seconds"]["grpo_gt"] = 10.0 * (seed + 1)
        path = os.path.join(tmp, f"rewards{seed}.json")
        with open(path, "w") as f:
            json.dump(r, f)
        rewards_files.append(path)
    with open(readme, "w") as f:
        f.write("<!-- demo-rewards:begin -->\n<!-- demo-rewards:end -->\n")
    r = subprocess.run([sys.executable, script, "table", "--rewards", "--marker", "demo-rewards", "--readme", readme,
                        *rewards_files], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(readme) as f:
        text = f.read()
    assert "| method | reward | estimator | avg@16 (seeds 0 / 1) |" in text, text
    assert "| base (SFT warm start) | - | - | 40.0 / 40.0 | 70.0 / 70.0 | 100.0 / 100.0 | - | - | - | - |" in text, text
    assert "| TTRL | majority_vote | grpo | 80.0 / 90.0 | 95.0 / 95.0 | 100.0 / 100.0 | 55.0 | - | 20.5 | 60 |" in text, text
    assert ("| GT-REINFORCE++ (true labels) | ground_truth | reinforce_pp (KL 0.001) | 95.0 / 95.0 | 100.0 / 100.0 "
            "| 100.0 / 100.0 | 100.0 | 100.0 | 30.0 | 15 |") in text, text
    r = subprocess.run([sys.executable, script, "table", "--rewards", "--marker", "demo-rewards", "--readme", readme,
                        files[0]], capture_output=True, text=True)
    assert r.returncode != 0 and "needs results.json files of `ttrl demo --rewards`" in r.stderr, r.stderr
print("ok: demo_table.py table")
