#!/usr/bin/env python3
"""Per-token log-probs and entropies of `ttrl score` on a device against transformers on the same device, for the
tiny random checkpoints of tests/model/test_hf_parity.py (Qwen2, Qwen3, Llama with llama3 RoPE and tied embeddings,
Mistral; peaked weights, grouped-query attention; prompts and completions of several lengths, one empty):

  float32   max abs difference to transformers float32                                  < 1e-4
  bfloat16  max abs error against transformers float64 <= 1.5x transformers' bfloat16 max abs error

  logprob_parity.py TTRL [--device cuda|cuda:N|cpu]      exit 0 pass, 1 fail, 77 skipped (device not visible)
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpu_util import SOURCE_DIR, parse_args, run_ttrl, verdict  # noqa: E402  (skips before torch is needed)

import torch  # noqa: E402
import transformers  # noqa: E402

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "model"))
from test_hf_parity import architectures, make_checkpoint, make_requests, write_jsonl  # noqa: E402

TOL_FP32 = 1e-4
BF16_FACTOR = 1.5


def reference(directory, requests, dtype, device):
    """Per request: (log-probs, entropies) of the completion tokens, in float64, from transformers in `dtype`."""
    model = transformers.AutoModelForCausalLM.from_pretrained(directory, dtype=dtype).to(device).eval()
    out = []
    with torch.no_grad():
        for r in requests:
            ids = torch.tensor([r["prompt_ids"] + r["completion_ids"]], device=device)
            logp = torch.log_softmax(model(input_ids=ids).logits[0].double(), -1)
            p, c = len(r["prompt_ids"]), len(r["completion_ids"])
            rows = logp[p - 1:p - 1 + c]
            targets = torch.tensor(r["completion_ids"], device=device, dtype=torch.long).view(-1, 1)
            out.append((rows.gather(1, targets).view(-1).cpu(), (-(rows.exp() * rows).sum(-1)).cpu()))
    return out


def max_errors(got, want):
    """Max abs differences of log-probs and of entropies over every completion token."""
    lp = ent = 0.0
    for (lp_a, ent_a), (lp_b, ent_b) in zip(got, want):
        if len(lp_b):
            lp = max(lp, (lp_a - lp_b).abs().max().item())
            ent = max(ent, (ent_a - ent_b).abs().max().item())
    return lp, ent


def ttrl_scores(ttrl, directory, inputs, dtype, device):
    lines = run_ttrl(ttrl, "score", "--model", directory, "--input", inputs, "--dtype", dtype, "--device", device)
    rows = [json.loads(line) for line in lines.splitlines() if line.strip()]
    return [(torch.tensor(r["logprobs"], dtype=torch.float64), torch.tensor(r["entropies"], dtype=torch.float64))
            for r in rows]


def main():
    args = parse_args(__doc__)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed, (arch, config) in enumerate(architectures().items(), start=1):
            directory = os.path.join(tmp, arch)
            make_checkpoint(arch, config, directory, seed)
            requests = make_requests(config.vocab_size, seed)
            inputs = os.path.join(tmp, f"{arch}.jsonl")
            write_jsonl(inputs, requests)

            fp32 = max_errors(ttrl_scores(args.ttrl, directory, inputs, "float32", args.device),
                              reference(directory, requests, torch.float32, args.device))
            truth = reference(directory, requests, torch.float64, args.device)
            ours = max_errors(ttrl_scores(args.ttrl, directory, inputs, "bfloat16", args.device), truth)
            theirs = max_errors(reference(directory, requests, torch.bfloat16, args.device), truth)
            print(f"{arch:8s} float32 vs transformers: logprob {fp32[0]:.2e}, entropy {fp32[1]:.2e} "
                  f"(< {TOL_FP32:.0e}); "
                  f"bfloat16 vs float64: ttrl logprob {ours[0]:.2e} entropy {ours[1]:.2e}, "
                  f"transformers logprob {theirs[0]:.2e} entropy {theirs[1]:.2e}")
            for what, value in (("float32 logprob", fp32[0]), ("float32 entropy", fp32[1])):
                if not value < TOL_FP32:
                    failures.append(f"{arch} {what}: {value:.2e} >= {TOL_FP32:.0e}")
            for what, mine, hf in (("bfloat16 logprob", ours[0], theirs[0]), ("bfloat16 entropy", ours[1], theirs[1])):
                if mine > BF16_FACTOR * hf:
                    failures.append(f"{arch} {what} error {mine:.2e} > {BF16_FACTOR}x transformers' {hf:.2e}")
    return verdict(failures, args.device)


if __name__ == "__main__":
    sys.exit(main())
