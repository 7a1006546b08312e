"""`ttrl plan` against what it plans:
  - on the CPU, the plan's peak agrees with the measured peak RSS of a one-step `ttrl train` within 15%, for two
    random models (57M and 156M parameters) whose state dominates the process;
  - for Qwen2.5-Math-7B's shape, the policy, masters and moments are the byte counts computed here from the
    architecture (7,615,616,512 parameters), sharded by N with trainer.zero_stage 1, and the smallest fitting number
    of processes is the smallest power of two whose peak fits.
Usage: memory_plan_e2e.py TTRL SOURCE_DIR"""
import json, os, subprocess, sys, tempfile

ttrl, source_dir = os.path.abspath(sys.argv[1]), sys.argv[2]
smoke = os.path.join(source_dir, "configs", "smoke.yaml")
data = os.path.join(source_dir, "configs", "data", "smoke.jsonl")
env = dict(os.environ, OMP_NUM_THREADS="2")
failures = []


def sets(settings):
    return [x for s in settings for x in ("--set", s)]


def plan(config, settings, *extra):
    out = subprocess.run([ttrl, "plan", "-c", config, *sets(settings), "--json", *extra], env=env, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)


def peak_rss(settings, out):
    process = subprocess.Popen([ttrl, "--log-level", "warn", "train", "-c", smoke,
                                *sets(settings + [f"trainer.output_dir={out}"])],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"ttrl train failed: {process.stderr.read().decode()[-2000:]}")
    return usage.ru_maxrss * 1024  # KiB on Linux


MODELS = {
    "57M": ["model.random.hidden_size=512", "model.random.num_layers=8", "model.random.intermediate_size=1536",
            "model.random.num_heads=8", "model.random.num_kv_heads=2"],
    "156M": ["model.random.hidden_size=1024", "model.random.num_layers=8", "model.random.intermediate_size=2816",
             "model.random.num_heads=16", "model.random.num_kv_heads=4", "algorithm.micro_batch_size=8",
             "rollout.max_new_tokens=64", "algorithm.kl_coef=0"],
}
common = ["model.random.vocab_size=32000", "data.max_prompt_tokens=64", "trainer.total_steps=1", "trainer.save_every=0",
          f"data.train_files=[{data}]"]
with tempfile.TemporaryDirectory() as tmp:
    for name, settings in MODELS.items():
        planned = plan(smoke, settings + common)["peak_bytes"]
        measured = peak_rss(settings + common, os.path.join(tmp, name))
        error = planned / measured - 1
        print(f"{name}: plan {planned / 2**30:.3f} GiB, measured peak RSS {measured / 2**30:.3f} GiB ({error:+.1%})")
        if abs(error) > 0.15:
            failures.append(f"{name}: plan {planned} bytes vs peak RSS {measured} ({error:+.1%}, more than 15%)")

# Qwen2.5-Math-7B's shape through the shipped 7B config.
qwen7b = ["model.path=", "model.random_init=true", "tokenizer.path=byte", "model.random.hidden_size=3584",
          "model.random.intermediate_size=18944", "model.random.num_layers=28", "model.random.num_heads=28",
          "model.random.num_kv_heads=4", "model.random.vocab_size=152064", "model.random.max_position_embeddings=4096"]
config7b = os.path.join(source_dir, "configs", "ttrl", "qwen2.5-math-7b-aime.yaml")
H, I, L, V, Q, K = 3584, 18944, 28, 152064, 3584, 512
P = 2 * V * H + H + L * (H * Q + 2 * H * K + Q * H + 3 * H * I + 2 * H + Q + 2 * K)
if P != 7615616512:
    failures.append(f"independent parameter count {P} is not Qwen2.5-7B's 7,615,616,512")
for nproc in (1, 8):
    p = plan(config7b, qwen7b, "--gpu-memory", "80GiB", "--nproc", str(nproc))
    parts = {part["name"]: part["bytes"] for part in p["parts"]}
    want = {"policy": 2 * P, "reference": 2 * P, "float32 masters": 4 * P / nproc, "AdamW moments": 8 * P / nproc}
    for key, value in want.items():
        if abs(parts.get(key, -1) - value) > 1:
            failures.append(f"7B, {nproc} processes: {key} {parts.get(key)} bytes, expected {value}")
    print(f"7B on 80 GiB GPUs, {nproc} processes: peak {p['peak_bytes'] / 2**30:.1f} GiB, fits {p['fits']}, "
          f"smallest fitting {p['smallest_fitting_processes']}")
smallest = plan(config7b, qwen7b, "--gpu-memory", "80GiB")["smallest_fitting_processes"]
fitting = [n for n in (1, 2, 4, 8, 16) if plan(config7b, qwen7b, "--gpu-memory", "80GiB", "--nproc", str(n))["fits"]]
if not fitting or smallest != fitting[0]:
    failures.append(f"smallest fitting {smallest}, but the fitting process counts are {fitting}")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
