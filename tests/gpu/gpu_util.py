"""Shared by the GPU tests: the command line (TTRL binary, --device), skipping with exit code 77 and a one-line reason
when the device is not visible (to torch here, or to ttrl's own LibTorch), and running ttrl."""
import argparse
import os
import subprocess
import sys

SKIP = 77


def skip(reason):
    print(f"skipped: {reason}")
    sys.exit(SKIP)


try:
    import torch
    import transformers  # noqa: F401  (every GPU test compares against it or loads its checkpoints)
except ImportError as error:
    skip(f"{error}")

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def parse_args(description):
    """TTRL (the binary) and --device (default cuda); exits 77 when that device is not visible to torch."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("ttrl", help="path of the ttrl binary")
    parser.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu (the same checks on the CPU)")
    args = parser.parse_args()
    if args.device == "cpu":
        torch.set_num_threads(2)
    else:
        if not torch.cuda.is_available():
            skip("no CUDA device visible (torch.cuda.is_available() is false)")
        index = int(args.device.split(":")[1]) if ":" in args.device else 0
        if index >= torch.cuda.device_count():
            skip(f"{args.device} is not visible ({torch.cuda.device_count()} CUDA device(s))")
    return args


def run_ttrl(ttrl, *args):
    """Runs `ttrl --log-level warn ARGS...` and returns its stdout; exits 77 when ttrl's LibTorch cannot use the
    device (a CPU-only torch, or fewer GPUs than torch here sees), fails the test on any other error."""
    env = dict(os.environ, OMP_NUM_THREADS="2")
    result = subprocess.run([ttrl, "--log-level", "warn", *map(str, args)], capture_output=True, text=True, env=env,
                            cwd=SOURCE_DIR)
    if result.returncode != 0:
        for line in result.stderr.splitlines():
            if "requested but" in line and ("CUDA is not available" in line or "only" in line):
                skip(f"ttrl cannot use the device: {line.strip()}")
        sys.exit(f"ttrl {args[0]} failed (exit {result.returncode}):\n{result.stderr}")
    return result.stdout


def verdict(failures, device):
    """Prints the failures (or "ok on DEVICE") and returns the exit status: 1 when any, else 0."""
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print(f"ok on {device}")
    return 0
