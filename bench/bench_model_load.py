#!/usr/bin/env python3
"""Checkpoint load time: ttrl's load_pretrained against transformers' from_pretrained, on the same files.

Writes (once) a synthetic checkpoint shaped like Qwen2.5-1.5B (28 layers, hidden 1536, 12 heads / 2 kv heads,
intermediate 8960, vocab 151936, tied embeddings, q/k/v biases) in bfloat16, ~3.1 GB, as one model.safetensors like the
real one. Both loaders run with a warm page cache (one untimed load first), `--repeats` times each; the medians and
their ratios are printed for two measures:
  load           the loader call alone. transformers maps the file and leaves the weights unread (lazy, its RSS after
                 loading is well under the checkpoint size); ttrl copies every weight and scans it for NaN/Inf.
  load+forward   the loader plus one forward pass of one token, which touches every weight: the comparable figure.
--json PATH writes the load+forward medians as a record for scripts/bench_table.py (bench/bench_record.py), the
load-only ones under "details". Not part of the test suite.

  cmake --build build --target bench_model_load
  OMP_NUM_THREADS=2 .venv/bin/python bench/bench_model_load.py --tool build/bench/bench_model_load \\
      [--repeats 3] [--json bench/results/model_load.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch
import transformers
from safetensors.torch import save_file

import bench_record

QWEN25_15B = dict(model_type="qwen2", architectures=["Qwen2ForCausalLM"], vocab_size=151936, hidden_size=1536,
                  intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2,
                  max_position_embeddings=131072, rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True,
                  hidden_act="silu", use_sliding_window=False, sliding_window=131072, max_window_layers=21,
                  bos_token_id=151643, eos_token_id=151643, dtype="bfloat16")


def write_checkpoint(directory):
    if os.path.exists(os.path.join(directory, "model.safetensors")):
        return
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(QWEN25_15B, f, indent=2)
    config = transformers.Qwen2Config(**{k: v for k, v in QWEN25_15B.items() if k not in ("architectures", "dtype")})
    with torch.device("meta"):
        shapes = {n: p.shape for n, p in transformers.Qwen2ForCausalLM(config).named_parameters()}
    g = torch.Generator().manual_seed(0)
    tensors = {n: (torch.randn(s, generator=g) * 0.02).to(torch.bfloat16) for n, s in shapes.items()
               if n != "lm_head.weight"}
    save_file(tensors, os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})
    # Flush the 3 GB just written: otherwise the first timed loads compete with the kernel's writeback (measured:
    # ttrl's loads took 4.4, 4.4 and then 1.6 s while the file was being flushed).
    os.sync()


def time_ttrl(tool, directory, repeats, device):
    out = subprocess.run([tool, directory, "bfloat16", device, str(repeats)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["seconds"], result["with_forward"]


def time_transformers(directory, repeats, device):
    # Each load in a fresh process, as ttrl's are loads within one process: here too only from_pretrained is timed.
    code = ("import time, torch, transformers, sys\n"
            f"t = time.perf_counter(); m = transformers.AutoModelForCausalLM.from_pretrained({directory!r}, "
            f"dtype=torch.bfloat16).to({device!r})\n"  # device_map would need accelerate
            "torch.cuda.synchronize() if torch.cuda.is_available() else None\n"
            "loaded = time.perf_counter() - t\n"
            f"with torch.no_grad(): m(input_ids=torch.ones(1, 1, dtype=torch.long, device={device!r})).logits.cpu()\n"
            "print(loaded, time.perf_counter() - t)\n")
    seconds, with_forward = [], []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        load, total = map(float, out.stdout.strip().splitlines()[-1].split())
        seconds.append(load)
        with_forward.append(total)
    return seconds, with_forward


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", required=True, help="path of the bench_model_load executable")
    parser.add_argument("--dir", default="/tmp/ttrl-bench-qwen2.5-1.5b", help="checkpoint directory (written once)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--json", metavar="PATH", help="write the result record here (bench/bench_record.py)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    meta = bench_record.begin(torch.get_num_threads())
    start = time.time()
    write_checkpoint(args.dir)
    print(f"checkpoint: {args.dir} ({os.path.getsize(os.path.join(args.dir, 'model.safetensors')) / 1e9:.2f} GB, "
          f"written/found in {time.time() - start:.1f} s)")
    time_ttrl(args.tool, args.dir, 1, args.device)  # warm the page cache
    ours = time_ttrl(args.tool, args.dir, args.repeats, args.device)
    theirs = time_transformers(args.dir, args.repeats, args.device)
    print(f"threads: torch {torch.get_num_threads()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    for i, measure in enumerate(("load", "load+forward")):
        ours_median, theirs_median = statistics.median(ours[i]), statistics.median(theirs[i])
        print(f"{measure:13s} ttrl {ours_median:7.3f} s {['%.2f' % s for s in ours[i]]}   "
              f"transformers {theirs_median:7.3f} s {['%.2f' % s for s in theirs[i]]}   "
              f"ratio transformers/ttrl {theirs_median / ours_median:.2f}x")
    if args.json:
        with open(os.path.join(args.dir, "config.json")) as f:
            config = json.load(f)
        shape_keys = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                      "num_key_value_heads")
        standard = all(config.get(k) == QWEN25_15B[k] for k in shape_keys)
        name = "a Qwen2.5-1.5B-shaped bf16 checkpoint" if standard else f"the checkpoint in {args.dir}"
        workload = {"checkpoint": ("Qwen2.5-1.5B-shaped, random, bfloat16, one model.safetensors" if standard
                                   else {k: config.get(k) for k in shape_keys}),
                    "dir": args.dir,
                    "checkpoint_gb": round(os.path.getsize(os.path.join(args.dir, "model.safetensors")) / 1e9, 2),
                    "device": args.device, "page_cache": "warm", "forward_tokens": 1,
                    "torch_threads": torch.get_num_threads(),
                    "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
        what = f"load {name} + first forward ({args.device}, warm page cache)"
        row = bench_record.row("model-load-forward", what, "s", "lower", ours[1], theirs[1], "transformers")
        details = {"load_only": {"ttrl_s": statistics.median(ours[0]), "transformers_s": statistics.median(theirs[0]),
                                 "ttrl_s_repeats": list(ours[0]), "transformers_s_repeats": list(theirs[0]),
                                 "note": "transformers maps the file lazily; ttrl copies and scans every weight"}}
        bench_record.write(args.json, bench_record.record(meta, "model_load", "bench/bench_model_load.py", workload,
                                                          [row], args.repeats, details))


if __name__ == "__main__":
    main()
