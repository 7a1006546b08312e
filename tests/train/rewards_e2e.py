"""Every built-in reward and advantage estimator through `ttrl train` on configs/smoke.yaml, and the `ttrl reward`
round trip: the rewards `ttrl reward` computes from a run's saved rollouts (trainer.save_rollouts) equal the rewards
the trainer used, for every reward (per-token statistics included) but rlpr, which scores with the weights of the
step (its scoring pass is checked against transformers by rlpr_parity.py). Also: co_reward on data without paraphrases is an
error naming the file and line."""
import json, math, os, subprocess, sys, tempfile

ttrl, source_dir = sys.argv[1], sys.argv[2]
smoke = os.path.join(source_dir, "configs", "smoke.yaml")
data = os.path.join(source_dir, "configs", "data", "smoke.jsonl")
env = dict(os.environ, OMP_NUM_THREADS="2")

def run(*args, check=True):
    return subprocess.run([ttrl, "--log-level", "warn", *args], env=env, cwd=source_dir, capture_output=True,
                          text=True, check=check)

def train(out, *sets):
    extra = [x for s in sets for x in ("--set", s)]
    run("train", "-c", smoke, "--set", f"trainer.output_dir={out}", "--set", f"data.train_files=[{data}]",
        "--set", "trainer.total_steps=2", "--set", "trainer.save_rollouts=true", *extra)

REWARDS = {  # name: extra settings, the metric it must log
    "majority_vote": ([], "ttrl/answered_ratio"),
    "dare": ([], "ttrl/num_pruned"),
    "soft_majority": ([], "ttrl/majority_share"),
    "empo": (["reward.gate=none"], "ttrl/semantic_entropy"),
    "self_certainty": ([], "ttrl/self_certainty_mean"),
    "entropy": (["reward.trajectory=true"], "ttrl/mean_token_logprob"),
    "co_reward": ([], "ttrl/partner_majority_share"),
    "rlpr": (["reward.label=majority"], "ttrl/reference_probability"),  # rescoring needs the step's weights: not here
    "ground_truth": ([], "ttrl/ground_truth_ratio"),
}
ESTIMATORS = ["grpo", "rloo", "reinforce", "reinforce_pp", "reinforce_pp_baseline"]

failures = []
with tempfile.TemporaryDirectory() as tmp:
    for i, (name, (extra, metric)) in enumerate(REWARDS.items()):
        estimator = ESTIMATORS[i % len(ESTIMATORS)]
        out = os.path.join(tmp, name)
        train(out, f"reward.name={name}", f"algorithm.adv_estimator={estimator}", *extra)
        lines = [json.loads(l) for l in open(os.path.join(out, "metrics.jsonl"))]
        last = lines[-1]
        if metric not in last or not all(math.isfinite(last[k]) for k in ("reward/mean", "actor/pg_loss")):
            failures.append(f"{name}: metrics lack {metric} or are not finite: {sorted(last)}")
        groups = 0
        for step in ((1, 2) if name != "rlpr" else ()):
            saved = os.path.join(out, "rollouts", f"step-{step}.jsonl")
            rescored = run("reward", "--input", saved, "--set", f"reward.name={name}", "--set", "reward.task=last_number",
                           *[x for s in extra for x in ("--set", s)]).stdout.splitlines()
            for saved_line, line in zip(open(saved), rescored):
                want, got = json.loads(saved_line), json.loads(line)
                groups += 1
                if want["rewards"] != got["rewards"] or want["label"] != got["label"]:
                    failures.append(f"{name} step {step}: trainer {want['rewards']} {want['label']}, "
                                    f"ttrl reward {got['rewards']} {got['label']}")
        expected_groups = 2 * 2 * (2 if name == "co_reward" else 1) * (name != "rlpr")  # steps x prompts (x phrasings)
        print(f"{name:15s} {estimator:22s} reward/mean {last['reward/mean']:+.4f}  {metric} {last[metric]:.4f}  "
              f"{groups} saved groups rescored")
        if groups != expected_groups:
            failures.append(f"{name}: {groups} groups rescored, expected {expected_groups}")

    # co_reward needs a paraphrase per record: the error names the file and line.
    bare = os.path.join(tmp, "bare.jsonl")
    with open(bare, "w") as f:
        f.write('{"prompt": "Compute 1+2. Answer:", "answer": "3", "paraphrase": "Compute 2+1. Answer:"}\n')
        f.write('{"prompt": "Compute 2+2. Answer:", "answer": "4"}\n')
    r = run("train", "-c", smoke, "--set", f"trainer.output_dir={os.path.join(tmp, 'bare')}",
            "--set", f"data.train_files=[{bare}]", "--set", "reward.name=co_reward", check=False)
    want = f'{bare}:2: no "paraphrase" field (reward co_reward samples each question and its paraphrase'
    if r.returncode == 0 or want not in r.stderr:
        failures.append(f"co_reward without a paraphrase: exit {r.returncode}, stderr {r.stderr[-400:]!r}")
    else:
        print("co_reward without a paraphrase:", r.stderr.strip().splitlines()[-1])

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
