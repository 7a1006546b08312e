#!/usr/bin/env python3
"""Invariants of `ttrl generate` on a device, float32, on a tiny random Qwen2 checkpoint (that of
tests/model/test_hf_parity.py, peaked weights) whose EOS list stops about 3% of the samples per token:

  - the same seed gives the same samples (token ids, finish reasons) with --max-batch 3 and --max-batch 64, and
    log-probs within 1e-4 (other batch shapes, other kernels);
  - the log-probs and entropies recorded while sampling equal those of one full forward pass over prompt +
    completion (`ttrl score` at the same temperature) within 1e-4.

  sampler_invariants.py TTRL [--device cuda|cuda:N|cpu]   exit 0 pass, 1 fail, 77 skipped (device not visible)
"""
import collections
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_util import SOURCE_DIR, parse_args, run_ttrl, verdict  # noqa: E402  (skips before torch is needed)

import torch  # noqa: E402
import transformers  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "model"))
from test_hf_parity import architectures, make_checkpoint, write_jsonl  # noqa: E402

TOL = 1e-4
N, MAX_NEW, TEMPERATURE, SEED = 8, 48, 0.9, 7


def generate(ttrl, directory, inputs, output, device, max_batch):
    run_ttrl(ttrl, "generate", "--model", directory, "--input", inputs, "--output", output, "--n", N,
             "--max-new-tokens", MAX_NEW, "--temperature", TEMPERATURE, "--seed", SEED, "--dtype", "float32",
             "--device", device, "--max-batch", max_batch)
    with open(output) as f:
        return sorted((json.loads(line) for line in f), key=lambda r: (r["prompt_index"], r["sample_index"]))


def max_diff(a, b):
    return max(((torch.tensor(x, dtype=torch.float64) - torch.tensor(y, dtype=torch.float64)).abs().max().item()
                for x, y in zip(a, b) if len(x)), default=0.0)


def main():
    args = parse_args(__doc__)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        config = architectures()["qwen2"]
        directory = os.path.join(tmp, "model")
        make_checkpoint("qwen2", config, directory, seed=11)
        g = torch.Generator().manual_seed(11)
        prompts = [torch.randint(config.vocab_size, (n,), generator=g).tolist() for n in (3, 9, 17, 30)]
        inputs = os.path.join(tmp, "prompts.jsonl")
        write_jsonl(inputs, [{"prompt_ids": p} for p in prompts])

        # EOS ids: the rarest sampled ids of a run without EOS whose share of its tokens adds up to ~3%.
        free = generate(args.ttrl, directory, inputs, os.path.join(tmp, "free.jsonl"), args.device, 64)
        counts = collections.Counter(t for r in free for t in r["completion_ids"])
        eos, share = [], 0
        for token, count in sorted(counts.items(), key=lambda kv: (kv[1], kv[0])):
            if share >= 0.03 * sum(counts.values()):
                break
            eos.append(token)
            share += count
        transformers.GenerationConfig(eos_token_id=eos, pad_token_id=0).save_pretrained(directory)

        small = generate(args.ttrl, directory, inputs, os.path.join(tmp, "small.jsonl"), args.device, 3)
        large = generate(args.ttrl, directory, inputs, os.path.join(tmp, "large.jsonl"), args.device, 64)
        same = sum(a["completion_ids"] == b["completion_ids"] and a["finish_reason"] == b["finish_reason"]
                   for a, b in zip(small, large))
        stopped = sum(r["finish_reason"] == "stop" for r in large)
        lengths = sorted(len(r["completion_ids"]) for r in large)
        batch_lp = max_diff([r["logprobs"] for r in small], [r["logprobs"] for r in large])
        print(f"--max-batch 3 vs 64: {same}/{len(large)} samples identical ({stopped} stopped on {len(eos)} EOS ids, "
              f"lengths {lengths[0]}..{lengths[-1]}), log-prob max diff {batch_lp:.2e}")
        if same != len(large) or len(small) != len(large):
            failures.append(f"--max-batch 3 and 64 give different samples ({same}/{len(large)} identical)")
        if not batch_lp < TOL:
            failures.append(f"--max-batch 3 vs 64 log-prob max diff {batch_lp:.2e} >= {TOL:.0e}")
        if stopped in (0, len(large)):
            failures.append(f"{stopped}/{len(large)} samples stopped on an EOS id: the EOS list does not mix lengths")

        pairs = os.path.join(tmp, "pairs.jsonl")
        write_jsonl(pairs, [{"prompt_ids": prompts[r["prompt_index"]], "completion_ids": r["completion_ids"]}
                            for r in large])
        scored = [json.loads(line) for line in
                  run_ttrl(args.ttrl, "score", "--model", directory, "--input", pairs, "--dtype", "float32",
                           "--device", args.device, "--temperature", TEMPERATURE).splitlines() if line.strip()]
        lp = max_diff([r["logprobs"] for r in large], [s["logprobs"] for s in scored])
        ent = max_diff([r["entropies"] for r in large], [s["entropies"] for s in scored])
        print(f"recorded vs full forward (ttrl score): log-prob max diff {lp:.2e}, entropy max diff {ent:.2e}")
        for what, value in (("log-prob", lp), ("entropy", ent)):
            if not value < TOL:
                failures.append(f"recorded vs scored {what} max diff {value:.2e} >= {TOL:.0e}")
    return verdict(failures, args.device)


if __name__ == "__main__":
    sys.exit(main())
