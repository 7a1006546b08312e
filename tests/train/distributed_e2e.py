"""`ttrl train` and `ttrl eval` as several processes on c10d (Gloo), launched by torchrun from .venv, against one
process on configs/smoke.yaml:
  - 1 vs 2 vs 3 processes: the same rollouts (token ids, texts), rewards and labels per group of every step, per-token
    log-probs within 1e-5, the same step metrics, final weights within 1e-5 relative (majority vote + GRPO; ground
    truth + REINFORCE++ with its step-wide whitening; co_reward, whose partner groups stay on one process, + REINFORCE
    with its step-wide baseline: its weights are not compared, its gradient being rounding noise on this model);
  - the optimizer state sharded (ZeRO-1, trainer.zero_stage 1, the default) and replicated (zero_stage 0), with
    the gradient buckets summed during backward (trainer.overlap_grad_reduce, many small buckets) and after it;
  - kill -9 of every rank after a checkpoint, resumed with another number of processes (3 shards re-cut for 2, for one
    process, and one process's whole state cut for 2): the weights of the run that was not interrupted; shards
    resumed with another trainer.grad_bucket_mb: an error naming the key;
  - kill -9 of one rank: the other exits non-zero within 60 s with an error naming the killed rank;
  - srun's variables (SLURM_PROCID, SLURM_NTASKS, ... in a job step) instead of torchrun's: the same run; and Slurm's
    own `srun --ntasks 2` where a cluster answers `sinfo`;
  - ttrl eval with 2 processes writes the one-process results.json.
Usage: distributed_e2e.py TTRL SOURCE_DIR (exit 77 = skipped: no torchrun)."""
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time

import torch
from safetensors.torch import load_file

ttrl, source_dir = os.path.abspath(sys.argv[1]), sys.argv[2]
torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
if not os.path.exists(torchrun):
    print("skipped: no torchrun next to", sys.executable)
    sys.exit(77)
smoke = os.path.join(source_dir, "configs", "smoke.yaml")
data = os.path.join(source_dir, "configs", "data", "smoke.jsonl")
# One thread per process in every run (torchrun's default), so that only the split differs; loopback for Gloo.
env = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME="lo")
for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "SLURM_STEP_ID"):
    env.pop(name, None)
failures = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(nproc, *args):
    base = [ttrl, "--log-level", "warn", *args]
    if nproc == 1:
        return base
    return [torchrun, "--nproc-per-node", str(nproc), "--master-port", str(free_port()), "--no-python", *base]


def sets(settings):
    return [x for s in settings for x in ("--set", s)]


def train_args(out, settings):
    return ["train", "-c", smoke, *sets([f"trainer.output_dir={out}", f"data.train_files=[{data}]",
                                         "trainer.prompts_per_step=6", "algorithm.mini_batch_prompts=3",
                                         "trainer.save_rollouts=true", *settings])]


def train(nproc, out, settings, *extra):
    r = subprocess.run(command(nproc, *train_args(out, settings), *extra), env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{nproc} processes, {settings}: exit {r.returncode}\n{r.stderr[-3000:]}")


def weights(out):
    steps = sorted(os.listdir(os.path.join(out, "checkpoints")), key=lambda d: int(d.split("-")[1]))
    return load_file(os.path.join(out, "checkpoints", steps[-1], "model.safetensors"))


def compare_weights(what, a, b, tolerance=1e-5):
    # Per tensor ||a - b|| / ||a||. Not k_proj's bias: its gradient is exactly zero in exact arithmetic (softmax does
    # not change when one constant is added to every key score), so it holds AdamW's normalised rounding noise, whose
    # value depends on the summation order that N processes change (one process with 1 or 2 threads differs as much).
    worst, worst_name = 0.0, ""
    for k, x in a.items():
        if k.endswith("k_proj.bias"):
            continue
        d = ((x.double() - b[k].double()).norm() / x.double().norm().clamp_min(1e-30)).item()
        if d > worst:
            worst, worst_name = d, k
    print(f"{what}: final weights, largest relative difference {worst:.2e} ({worst_name})")
    if worst > tolerance:
        failures.append(f"{what}: final weights of {worst_name} differ by {worst:.2e} relative (> {tolerance})")


def compare_rollouts(what, one, many, steps):
    groups = 0
    for step in range(1, steps + 1):
        a = [json.loads(l) for l in open(os.path.join(one, "rollouts", f"step-{step}.jsonl"))]
        b = [json.loads(l) for l in open(os.path.join(many, "rollouts", f"step-{step}.jsonl"))]
        if len(a) != len(b):
            failures.append(f"{what} step {step}: {len(a)} groups vs {len(b)}")
            continue
        for g, (x, y) in enumerate(zip(a, b)):
            groups += 1
            for key in ("prompt", "rewards", "label"):
                if x.get(key) != y.get(key):
                    failures.append(f"{what} step {step} group {g}: {key} {x.get(key)} vs {y.get(key)}")
            for i, (rx, ry) in enumerate(zip(x["rollouts"], y["rollouts"])):
                for key in ("text", "completion_ids"):
                    if rx.get(key) != ry.get(key):
                        failures.append(f"{what} step {step} group {g} rollout {i}: {key} differs")
                for key in ("logprobs", "entropies"):
                    d = max((abs(p - q) for p, q in zip(rx.get(key, []), ry.get(key, []))), default=0.0)
                    if d > 1e-5:
                        failures.append(f"{what} step {step} group {g} rollout {i}: {key} differ by {d:.2e}")
    return groups


def compare_metrics(what, one, many):
    a = [json.loads(l) for l in open(os.path.join(one, "metrics.jsonl"))]
    b = [json.loads(l) for l in open(os.path.join(many, "metrics.jsonl"))]
    for x, y in zip(a, b):
        for key in ("reward/mean", "reward/std", "response_length/mean", "ttrl/label_accuracy", "actor/pg_loss",
                    "actor/grad_norm"):
            if key in x and abs(x[key] - y.get(key, float("nan"))) > 1e-4 * max(1.0, abs(x[key])):
                failures.append(f"{what} step {x['step']}: {key} {x[key]} vs {y.get(key)}")
    if len(a) != len(b):
        failures.append(f"{what}: {len(a)} metric lines vs {len(b)}")


with tempfile.TemporaryDirectory() as tmp:
    # 1. The same run as 1, 2 and 3 processes.
    variants = {"majority_vote+grpo": ["trainer.total_steps=3"],
                "ground_truth+reinforce_pp": ["trainer.total_steps=2", "reward.name=ground_truth",
                                              "algorithm.adv_estimator=reinforce_pp"],
                "co_reward+reinforce": ["trainer.total_steps=2", "reward.name=co_reward",
                                        "algorithm.adv_estimator=reinforce"]}
    for name, settings in variants.items():
        steps = int(settings[0].split("=")[1])
        one = os.path.join(tmp, f"{name}-1")
        train(1, one, settings)
        # Several processes shard the optimizer state (trainer.zero_stage 1, the default); once also replicated. The
        # smoke model's gradient is one bucket at the default trainer.grad_bucket_mb; with 0.01 MiB buckets (2621
        # elements) most collectives start during backward (trainer.overlap_grad_reduce, the default), and once
        # after it (overlap off).
        small = "trainer.grad_bucket_mb=0.01"
        runs = ([(2, 1, []), (3, 1, []), (2, 0, []), (2, 1, [small]), (3, 0, [small]),
                 (2, 1, [small, "trainer.overlap_grad_reduce=false"])] if name == "majority_vote+grpo" else [(2, 1, [])])
        for nproc, zero, more in runs:
            many = os.path.join(tmp, f"{name}-{nproc}-zero{zero}-{len(more)}")
            start = time.time()
            train(nproc, many, settings + [f"trainer.zero_stage={zero}", *more])
            what = f"{name}, {nproc} processes, zero_stage {zero} {' '.join(more)}"
            metrics = [json.loads(l) for l in open(os.path.join(many, "metrics.jsonl"))]
            overlapped = min(m["dist/gradient_buckets_overlapped"] for m in metrics)
            buckets = min(m["dist/gradient_buckets"] for m in metrics)
            print(f"{what}: {buckets:.0f} gradient buckets per step, {overlapped:.0%} started during backward")
            # (At the default size the one bucket per optimizer step starts in the hook of the last gradient.)
            if small in more and ("trainer.overlap_grad_reduce=false" in more) != (overlapped == 0) or (
                    small in more and (buckets < 10 or 0 < overlapped < 0.5)):
                failures.append(f"{what}: {buckets} buckets, {overlapped:.0%} of them started during backward")
            groups = compare_rollouts(what, one, many, steps)
            print(f"{what} ({time.time() - start:.1f} s): {groups} groups compared")
            compare_metrics(what, one, many)
            # Weights only where the one-process gradients carry signal: co_reward's rewards are nearly all 0 on the
            # random model (grad norm ~1e-9), and AdamW turns such rounding noise into lr-sized steps whatever the
            # split (one process with micro_batch_size 1 instead of 4 differs by 8e-5 there).
            norms = [json.loads(l)["actor/grad_norm"] for l in open(os.path.join(one, "metrics.jsonl"))]
            if min(norms) >= 1e-3:
                compare_weights(what, weights(one), weights(many))
            else:
                print(f"{name}: weights not compared, the gradient is rounding noise (grad norms {norms})")
            final = os.path.join(many, "checkpoints", f"step-{steps}")
            state = [f"optimizer-shard-{r}-of-{nproc}.pt" for r in range(nproc)] if zero else ["optimizer.pt"]
            if not all(os.path.exists(os.path.join(final, f)) for f in state):
                failures.append(f"{what}: the final checkpoint lacks {state}: {sorted(os.listdir(final))}")

    # 2. kill -9 every rank after the first checkpoint, resume with another number of processes.
    steps = ["trainer.total_steps=8", "trainer.save_every=2", "trainer.save_rollouts=false"]
    reference = os.path.join(tmp, "uninterrupted")
    train(1, reference, steps)
    killed = os.path.join(tmp, "killed")
    job = subprocess.Popen(command(3, *train_args(killed, steps)), env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    marker = os.path.join(killed, "checkpoints", "step-2", "trainer_state.json")
    deadline = time.time() + 120
    while not os.path.exists(marker) and job.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
    done = sorted(os.listdir(os.path.join(killed, "checkpoints"))) if os.path.isdir(os.path.join(killed, "checkpoints")) else []
    print(f"killed 3 processes with checkpoints {done}; resuming with 2")
    if "step-8" in done:
        print("note: the run finished before the kill; the resume below has nothing left to do")
    # Before resuming: copies of the 3-process checkpoint of step 2 (3 optimizer shards) and of the one-process one.
    for source, copy in ((os.path.join(killed, "checkpoints", "step-2"), "sharded-step-2"),
                         (os.path.join(killed, "checkpoints", "step-2"), "sharded-step-2-other-buckets"),
                         (os.path.join(reference, "checkpoints", "step-2"), "whole-step-2")):
        shutil.copytree(source, os.path.join(tmp, copy, "checkpoints", "step-2"))
    train(2, killed, steps, "--resume")
    compare_weights("killed with 3 processes (3 shards), resumed with 2", weights(reference), weights(killed))
    train(1, os.path.join(tmp, "sharded-step-2"), steps, "--resume")
    compare_weights("3 shards of step 2 resumed by one process", weights(reference), weights(os.path.join(tmp, "sharded-step-2")))
    train(2, os.path.join(tmp, "whole-step-2"), steps, "--resume")
    # Shards are cut by trainer.grad_bucket_mb: resuming them with another value is an error naming the key.
    r = subprocess.run(command(1, *train_args(os.path.join(tmp, "sharded-step-2-other-buckets"),
                                              steps + ["trainer.grad_bucket_mb=0.01"]),
                               "--resume"), env=env, capture_output=True, text=True)
    if r.returncode == 0 or "resume with trainer.grad_bucket_mb 32" not in r.stderr:
        failures.append(f"shards resumed with another trainer.grad_bucket_mb: exit {r.returncode}, {r.stderr[-400:]}")
    compare_weights("one process's step 2 resumed by 2 (sharded)", weights(reference), weights(os.path.join(tmp, "whole-step-2")))

    # 2b. srun's variables (a job step of 2 tasks, MASTER_ADDR/PORT exported) instead of torchrun's: the same run.
    port = str(free_port())
    slurm = os.path.join(tmp, "slurm")
    tasks = [subprocess.Popen([ttrl, "--log-level", "warn", *train_args(slurm, ["trainer.total_steps=3"])],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=dict(env, SLURM_STEP_ID="0", SLURM_PROCID=str(task), SLURM_NTASKS="2",
                                       SLURM_LOCALID=str(task), SLURM_NTASKS_PER_NODE="2", MASTER_ADDR="127.0.0.1",
                                       MASTER_PORT=port))
             for task in (0, 1)]
    errors = [t.communicate(timeout=300)[1] for t in tasks]
    if any(t.returncode != 0 for t in tasks):
        failures.append(f"srun-style launch failed: {errors}")
    else:
        compare_rollouts("srun variables, 2 tasks", os.path.join(tmp, "majority_vote+grpo-1"), slurm, 3)
        compare_weights("srun variables, 2 tasks", weights(os.path.join(tmp, "majority_vote+grpo-1")), weights(slurm))

    # 2c. Slurm's own srun, where a cluster answers (sinfo within 10 s, a partition up with an idle node of 2 CPUs):
    #     2 tasks of a job step train what one process does.
    try:  # partition availability and node state, e.g. "up idle"
        partition = subprocess.run(["sinfo", "-h", "-o", "%a %t"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        partition = ""
    if not any(line.split()[:2] in (["up", "idle"], ["up", "mix"]) for line in partition.splitlines()):
        print("srun: no Slurm cluster answers here (sinfo); the real srun launch is not tested")
    else:
        srun_out = os.path.join(tmp, "srun")
        srun_env = dict(env, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()))
        try:  # --immediate: fail at once rather than queue when the node cannot take 2 tasks now
            r = subprocess.run(["srun", "--ntasks", "2", "--immediate=30", "--kill-on-bad-exit=1", ttrl, "--log-level",
                                "warn", *train_args(srun_out, ["trainer.total_steps=3"])], env=srun_env,
                               capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as e:
            r = subprocess.CompletedProcess(e.cmd, -1, "", f"no exit within {e.timeout} s")
        if r.returncode != 0:
            failures.append(f"srun --ntasks 2: exit {r.returncode}: {r.stderr[-1000:]}")
        else:
            groups = compare_rollouts("srun --ntasks 2", os.path.join(tmp, "majority_vote+grpo-1"), srun_out, 3)
            compare_weights("srun --ntasks 2", weights(os.path.join(tmp, "majority_vote+grpo-1")), weights(srun_out))
            print(f"srun --ntasks 2 (Slurm {subprocess.run(['srun', '--version'], capture_output=True, text=True).stdout.strip()}): "
                  f"{groups} groups compared with one process")

    # 3. kill -9 one rank: the other exits non-zero within 60 s, naming it.
    port = str(free_port())
    lonely = os.path.join(tmp, "lonely")
    ranks = []
    for rank in (0, 1):
        rank_env = dict(env, RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        ranks.append(subprocess.Popen([ttrl, "--log-level", "warn",
                                       *train_args(lonely, ["trainer.total_steps=500", "trainer.save_every=0"])],
                                      env=rank_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    metrics = os.path.join(lonely, "metrics.jsonl")
    deadline = time.time() + 120
    while (not os.path.exists(metrics) or os.path.getsize(metrics) == 0) and time.time() < deadline:
        time.sleep(0.05)
    ranks[1].send_signal(signal.SIGKILL)
    killed_at = time.time()
    try:
        _, stderr = ranks[0].communicate(timeout=90)
        waited = time.time() - killed_at
    except subprocess.TimeoutExpired:
        ranks[0].kill()
        _, stderr = ranks[0].communicate()
        waited = float("inf")
    ranks[1].wait()
    last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    print(f"rank 1 killed: rank 0 exited {ranks[0].returncode} after {waited:.1f} s: {last[:300]}")
    if (ranks[0].returncode in (0, None) or waited > 60 or "rank 0 of 2" not in last
            or "rank 1 did not answer" not in last):
        failures.append(f"after kill -9 of rank 1, rank 0 exit {ranks[0].returncode} after {waited:.1f} s: {last}")

    # 4. A rank that throws (rank 0: trainer.output_dir is a file) is named by the others; a store nobody serves is an
    #    error naming MASTER_ADDR:MASTER_PORT after trainer.dist_timeout_s.
    port = str(free_port())
    afile = os.path.join(tmp, "a-file")
    open(afile, "w").write("mine\n")
    ranks = [subprocess.Popen([ttrl, "--log-level", "warn", *train_args(afile, [])], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True,
                              env=dict(env, RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1", MASTER_PORT=port))
             for rank in (0, 1)]
    errors = [r.communicate(timeout=120)[1] for r in ranks]
    want = "rank 1 of 2: barrier failed because another process ended: rank 0: trainer.output_dir"
    print(f"rank 0 threw: exits {[r.returncode for r in ranks]}; rank 1 said: {errors[1].strip()[-160:]}")
    if ranks[1].returncode == 0 or want not in errors[1] or open(afile).read() != "mine\n":
        failures.append(f"rank 0's error was not named by rank 1: {errors[1][-500:]}")
    r = subprocess.run([ttrl, *train_args(os.path.join(tmp, "alone"), ["trainer.dist_timeout_s=2"])], text=True,
                       capture_output=True, env=dict(env, RANK="1", WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                                                     MASTER_PORT=str(free_port())))
    if r.returncode == 0 or "no rendezvous with the other processes through the store at 127.0.0.1:" not in r.stderr:
        failures.append(f"no store: exit {r.returncode}, {r.stderr[-400:]}")

    # 5. ttrl eval: 2 processes write the one-process results.json.
    results = []
    for nproc in (1, 2):
        out = os.path.join(tmp, f"eval-{nproc}.json")
        r = subprocess.run(command(nproc, "eval", "-c", smoke, "--data", data, "--k", "4", "--max-new-tokens", "16",
                                   "--task", "last_number", "--output", out), env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"eval with {nproc} processes: exit {r.returncode}\n{r.stderr[-3000:]}")
        results.append(json.load(open(out)))
    problems = len(results[0]["datasets"][0]["problems"])
    print(f"eval: {problems} problems, avg@4 {results[0]['datasets'][0]['summary']['avg@4']:.1f} "
          f"(1 process) vs {results[1]['datasets'][0]['summary']['avg@4']:.1f} (2)")
    if results[0] != results[1]:
        failures.append("eval: the results.json of 2 processes differs from that of one")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
