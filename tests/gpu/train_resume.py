#!/usr/bin/env python3
"""A few bfloat16 GRPO steps of `ttrl train` on a device (configs/smoke.yaml: tiny random model, byte tokenizer;
6 steps, a checkpoint every 2), killed (SIGKILL) once its first checkpoint is written and resumed with --resume, end
with the weights of an uninterrupted run: every tensor of the final model.safetensors within 1e-6 (bitwise in
practice). On a mismatch, a second uninterrupted run tells a broken resume from training that is not run-to-run
deterministic.

  train_resume.py TTRL [--device cuda|cuda:N|cpu]         exit 0 pass, 1 fail, 77 skipped (device not visible)
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_util import SOURCE_DIR, parse_args, run_ttrl  # noqa: E402  (skips before torch is needed)

import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

TOL = 1e-6


def train_args(out, device):
    return ["train", "-c", os.path.join(SOURCE_DIR, "configs", "smoke.yaml"), "--set", f"trainer.output_dir={out}",
            "--set", f"data.train_files=[{os.path.join(SOURCE_DIR, 'configs', 'data', 'smoke.jsonl')}]",
            "--set", f"model.device={device}", "--set", "model.dtype=bfloat16",
            "--set", "trainer.total_steps=6", "--set", "trainer.save_every=2"]


def final_weights(out):
    return load_file(os.path.join(out, "checkpoints", "step-6", "model.safetensors"))


def max_diff(a, b):
    """Largest abs difference over every tensor (infinite when the names differ)."""
    if a.keys() != b.keys():
        return float("inf")
    return max((a[k].double() - b[k].double()).abs().max().item() for k in a)


def main():
    args = parse_args(__doc__)
    tmp = tempfile.mkdtemp()
    try:
        full, killed = os.path.join(tmp, "full"), os.path.join(tmp, "killed")
        start = time.time()
        run_ttrl(args.ttrl, *train_args(full, args.device))
        print(f"uninterrupted run: 6 steps in {time.time() - start:.1f} s")

        proc = subprocess.Popen([args.ttrl, "--log-level", "warn", *train_args(killed, args.device)], cwd=SOURCE_DIR,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        first = os.path.join(killed, "checkpoints", "step-2")  # renamed into place once complete
        deadline = time.time() + 120
        while not os.path.exists(first) and proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if not os.path.exists(first):
                print("FAILED: no checkpoint within 120 s")
                return 1
            print(f"killed the run after its first checkpoint ({sorted(os.listdir(os.path.dirname(first)))})")
        elif proc.returncode != 0:
            print(f"FAILED: the run to be killed failed by itself (exit {proc.returncode})")
            return 1
        else:  # it finished first: keep step-2 alone, as if it had died there
            for name in os.listdir(os.path.dirname(first)):
                if name != "step-2":
                    shutil.rmtree(os.path.join(os.path.dirname(first), name))
            print("the run finished before the kill; resuming from step-2 alone")
        run_ttrl(args.ttrl, *train_args(killed, args.device), "--resume")

        reference = final_weights(full)
        if not all(t.dtype == torch.bfloat16 for t in reference.values()):
            print("FAILED: the final weights are not bfloat16")
            return 1
        diff = max_diff(reference, final_weights(killed))
        print(f"killed + --resume vs uninterrupted: max abs weight difference {diff:.2e} (<= {TOL:.0e})")
        if diff <= TOL:
            print(f"ok on {args.device}")
            return 0
        again = os.path.join(tmp, "again")
        run_ttrl(args.ttrl, *train_args(again, args.device))
        rerun = max_diff(reference, final_weights(again))
        print(f"FAILED: resumed weights differ; two uninterrupted runs differ by {rerun:.2e} "
              f"({'training is not run-to-run deterministic here' if rerun > TOL else 'the resume is at fault'})")
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
