#!/usr/bin/env python3
"""Training steps per second of `ttrl train` as 1 process and as 2 processes (torchrun, c10d Gloo on the CPU) on the
smoke-sized model, in the same run, and the bytes the gradient collectives move per step against the gradient's size
(ZeRO-1: reduce-scatter of the float32 gradient + all-gather of the weights; --zero-stage 0: all-reduce), and
the 2-process update with the gradient collectives overlapped with backward (trainer.overlap_grad_reduce, the
default) against the same run without overlap.

Both sides: configs/smoke.yaml with --prompts-per-step prompts per step, one thread per process (torchrun's
default; the 1-process side gets OMP_NUM_THREADS=1 too), --steps steps after one warm-up step; steps/s from the
metrics' timing/step_s (sampling + reward + update of each step, the slowest process's sampling time). On a machine
with 2 cores the 2-process run has one core per process: the ratio says what data parallelism gives when each
process has its own core, nothing about GPUs. Not part of the test suite.

  .venv/bin/python bench/bench_distributed.py [--ttrl build/bin/ttrl] [--steps 8] [--prompts-per-step 8] [--zero-stage 1]
                                              [--grad-bucket-mb 32]
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile

p = argparse.ArgumentParser()
p.add_argument("--ttrl", default="build/bin/ttrl")
p.add_argument("--steps", type=int, default=8)
p.add_argument("--prompts-per-step", type=int, default=8)
p.add_argument("--zero-stage", type=int, default=1, help="trainer.zero_stage of the 2-process run")
p.add_argument("--grad-bucket-mb", type=float, default=32,
               help="trainer.grad_bucket_mb (the smoke model's gradient is one bucket at 32; 0.01 makes ~18 per step)")
args = p.parse_args()
args.zero_label = ("ZeRO-1 (reduce-scatter + all-gather of the parameters)" if args.zero_stage
                   else "replicated state (all-reduce)")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
env = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME="lo")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(nproc, out, overlap=True):
    cmd = [os.path.abspath(args.ttrl), "--log-level", "warn", "train", "-c", os.path.join(root, "configs", "smoke.yaml")]
    for s in (f"trainer.output_dir={out}", f"trainer.total_steps={args.steps + 1}", "trainer.save_every=0",
              f"trainer.prompts_per_step={args.prompts_per_step}", "algorithm.mini_batch_prompts=2",
              f"trainer.zero_stage={args.zero_stage}", f"trainer.overlap_grad_reduce={str(overlap).lower()}",
              f"trainer.grad_bucket_mb={args.grad_bucket_mb}",
              f"data.train_files=[{os.path.join(root, 'configs', 'data', 'smoke.jsonl')}]"):
        cmd += ["--set", s]
    if nproc > 1:
        cmd = [torchrun, "--nproc-per-node", str(nproc), "--master-port", str(free_port()), "--no-python", *cmd]
    subprocess.run(cmd, env=env, check=True, capture_output=True, cwd=root)
    lines = [json.loads(l) for l in open(os.path.join(out, "metrics.jsonl"))][1:]  # the first step is the warm-up
    return lines


with tempfile.TemporaryDirectory() as tmp:
    one = run(1, os.path.join(tmp, "one"))
    two = run(2, os.path.join(tmp, "two"))
    two_serial = run(2, os.path.join(tmp, "two-serial"), overlap=False)
    from safetensors import safe_open
    checkpoint = os.path.join(tmp, "one", "checkpoints", f"step-{args.steps + 1}", "model.safetensors")
    with safe_open(checkpoint, "pt") as f:
        gradient_bytes = sum(f.get_tensor(k).numel() * f.get_tensor(k).element_size() for k in f.keys())

step_one = statistics.median(l["timing/step_s"] for l in one)
step_two = statistics.median(l["timing/step_s"] for l in two)
moved = statistics.median(l["dist/collective_bytes"] for l in two)
optimizer_steps = -(-args.prompts_per_step // 2)
print(f"machine: {os.cpu_count()} cores; smoke model, {args.prompts_per_step} prompts x 8 samples per step, "
      f"{args.steps} timed steps (medians)")
print(f"1 process : {1 / step_one:6.2f} steps/s ({step_one * 1000:.0f} ms/step)")
print(f"2 processes: {1 / step_two:6.2f} steps/s ({step_two * 1000:.0f} ms/step)  -> {step_one / step_two:.2f}x")
for name, lines in (("1 process", one), ("2 processes", two), ("2 processes, no overlap", two_serial)):
    parts = ", ".join(f"{k.split('/')[1][:-2]} {statistics.median(l[k] for l in lines) * 1000:.0f} ms"
                      for k in ("timing/generate_s", "timing/reward_s", "timing/update_s"))
    print(f"  {name}: {parts}")
print(f"{args.zero_label}: per step and process {moved / 1024:.1f} KiB through collectives "
      f"({optimizer_steps} optimizer steps x {gradient_bytes / 1024:.1f} KiB of gradient = "
      f"{moved / (optimizer_steps * gradient_bytes):.2f}x the gradient per optimizer step)")
update_on = statistics.median(l["timing/update_s"] for l in two)
update_off = statistics.median(l["timing/update_s"] for l in two_serial)
overlapped = statistics.median(l["dist/gradient_buckets_overlapped"] for l in two)
print(f"overlap of the gradient collectives with backward: update {update_on * 1000:.0f} ms vs {update_off * 1000:.0f} ms "
      f"without ({update_off / update_on:.2f}x); {overlapped:.0%} of the buckets started during backward")
