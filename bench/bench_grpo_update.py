#!/usr/bin/env python3
"""One GRPO policy update: ttrl against the same computation in PyTorch eager, in the same run; and the peak memory
of ttrl's chunked log-prob/entropy pass against the naive full-vocabulary version.

Model: a random Qwen2-shaped checkpoint of ~50M parameters (hidden 512, 8 layers, 8 heads / 2 KV heads,
intermediate 1024, vocab 32000, untied lm_head, fp32). Batch: 32 rollouts of a 64-token prompt + 256 response tokens,
old log-probs near the model's own (so the PPO clip is active on some tokens), random advantages.
Update = forward + backward in micro-batches (token-mean PPO clipped loss over the whole batch, clip 0.2) + global
grad-norm clip 1.0 + one AdamW step. PyTorch side: transformers Qwen2ForCausalLM (sdpa attention), logits of the
whole micro-batch -> float32 log_softmax -> gather, entropy from the same logits (no grad, as a metric) — what
verl/TRL do without fused kernels. Both sides use the same threads; the first update of each is a warm-up, then
--repeats timed updates each (medians reported). The memory comparison runs --repeats times, each in a fresh process.
--json PATH writes both README rows as a record for scripts/bench_table.py (bench/bench_record.py).
Not part of the test suite.

  cmake --build build --target bench_grpo_update
  .venv/bin/python bench/bench_grpo_update.py [--tool build/bench/bench_grpo_update] [--micro-batch 8] [--threads 2] \\
      [--repeats 3] [--json bench/results/grpo_update.json]

Profiling ttrl's side: write the inputs with --keep DIR, then
  TTRL_PROFILE=trace.json build/bench/bench_grpo_update update DIR DIR/batch.json 8 1   (a chrome://tracing file)
"""
import argparse, json, os, statistics, subprocess, tempfile, time

import torch
import transformers

import bench_record

p = argparse.ArgumentParser()
p.add_argument("--tool", default=os.path.join(os.path.dirname(__file__), "..", "build", "bench", "bench_grpo_update"))
p.add_argument("--rollouts", type=int, default=32)
p.add_argument("--prompt-len", type=int, default=64)
p.add_argument("--response-len", type=int, default=256)
p.add_argument("--micro-batch", type=int, default=8)
p.add_argument("--repeats", type=int, default=3, help="timed updates of each side (after a warm-up) and memory runs")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--memory-rows", type=int, default=8192, help="response tokens in the memory comparison")
p.add_argument("--keep", help="write the checkpoint and batch.json here and keep them (for profiling the tool)")
p.add_argument("--json", metavar="PATH", help="write the result record here (bench/bench_record.py)")
args = p.parse_args()
if args.repeats < 1:
    p.error("--repeats must be >= 1")
meta = bench_record.begin(args.threads)
torch.set_num_threads(args.threads)
torch.manual_seed(0)
VOCAB, CLIP, LR = 32000, 0.2, 1e-6

config = transformers.Qwen2Config(vocab_size=VOCAB, hidden_size=512, num_hidden_layers=8, num_attention_heads=8,
                                  num_key_value_heads=2, intermediate_size=1024, max_position_embeddings=1024,
                                  tie_word_embeddings=False)
model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
n_params = sum(p_.numel() for p_ in model.parameters())

P, R = args.prompt_len, args.response_len
ids = torch.randint(0, VOCAB, (args.rollouts, P + R))
advantages = torch.randn(args.rollouts)


def response_logprobs(m, input_ids):
    """[B, R] float32 log-probs of the response tokens and their entropies (no grad), from full logits."""
    logits = m(input_ids[:, :-1]).logits[:, P - 1:].float()
    logp = torch.log_softmax(logits, -1)
    with torch.no_grad():
        entropy = -(logp.exp() * logp).sum(-1)
    return logp.gather(-1, input_ids[:, P:].unsqueeze(-1)).squeeze(-1), entropy


with torch.no_grad():
    old = torch.cat([response_logprobs(model, ids[i:i + 8])[0] for i in range(0, args.rollouts, 8)])
old = old + 0.1 * torch.randn_like(old)  # sampled under slightly different weights


def torch_update(m, opt):
    total_tokens = args.rollouts * R
    loss_sum = 0.0
    for i in range(0, args.rollouts, args.micro_batch):
        logp, _ = response_logprobs(m, ids[i:i + args.micro_batch])
        ratio = torch.exp(logp - old[i:i + args.micro_batch])
        a = advantages[i:i + args.micro_batch].unsqueeze(1)
        loss = torch.maximum(-a * ratio, -a * ratio.clamp(1 - CLIP, 1 + CLIP)).sum() / total_tokens
        loss.backward()
        loss_sum += loss.item()
    norm = torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss_sum, norm.item()


with tempfile.TemporaryDirectory() as tmp:
    d = args.keep or tmp
    model.save_pretrained(d)
    batch = {"sequences": [{"prompt_ids": ids[i, :P].tolist(), "completion_ids": ids[i, P:].tolist(),
                            "old_logprobs": old[i].tolist(), "advantage": advantages[i].item()}
                           for i in range(args.rollouts)]}
    batch_path = os.path.join(d, "batch.json")
    json.dump(batch, open(batch_path, "w"))
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))

    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    torch_seconds = []
    for r in range(args.repeats + 1):
        start = time.perf_counter()
        loss, norm = torch_update(model, opt)
        if r == 0:
            torch_loss, torch_norm = loss, norm
        else:
            torch_seconds.append(time.perf_counter() - start)

    ours = json.loads(subprocess.run([args.tool, "update", d, batch_path, str(args.micro_batch), str(args.repeats)],
                                     check=True, capture_output=True, text=True, env=env).stdout)
    memory_runs = [json.loads(subprocess.run([args.tool, "memory", d, batch_path, str(args.memory_rows)],
                                             check=True, capture_output=True, text=True, env=env).stdout)
                   for _ in range(args.repeats)]

tokens = args.rollouts * R
t_ours, t_torch = statistics.median(ours["seconds"]), statistics.median(torch_seconds)
print(f"model: {n_params / 1e6:.1f}M parameters (Qwen2-shaped, vocab {VOCAB}), {args.rollouts} rollouts x {R} tokens "
      f"(+{P} prompt), micro-batch {args.micro_batch}, {args.threads} threads")
print(f"first update: loss ttrl {ours['loss']:.6e} vs PyTorch {torch_loss:.6e}; "
      f"grad norm {ours['grad_norm']:.6e} vs {torch_norm:.6e}")
print(f"GRPO update: ttrl {t_ours:.2f} s ({tokens / t_ours:.0f} tok/s), PyTorch eager {t_torch:.2f} s "
      f"({tokens / t_torch:.0f} tok/s): {t_torch / t_ours:.2f}x")
# Medians over the memory runs (peak RSS increase and time of each method; the largest differences seen).
memory = dict(memory_runs[0])
for method in ("naive", "chunked"):
    memory[method] = {key: statistics.median(m[method][key] for m in memory_runs) for key in ("seconds", "peak_increase_mib")}
for key in ("max_logprob_difference", "max_hidden_grad_difference"):
    memory[key] = max(m[key] for m in memory_runs)
naive, chunked = memory["naive"], memory["chunked"]
print(f"log-prob/entropy pass over {memory['rows']} tokens x vocab {memory['vocab']} (forward + backward): peak RSS "
      f"increase chunked {chunked['peak_increase_mib']:.0f} MiB vs naive {naive['peak_increase_mib']:.0f} MiB "
      f"({naive['peak_increase_mib'] / max(1.0, chunked['peak_increase_mib']):.1f}x less); time "
      f"{chunked['seconds']:.2f} s vs {naive['seconds']:.2f} s; max |d logprob| {memory['max_logprob_difference']:.1e}, "
      f"max |d grad| {memory['max_hidden_grad_difference']:.1e}"
      + (f" (medians of {args.repeats} runs)" if args.repeats > 1 else ""))
if args.json:
    workload = {"parameters_m": round(n_params / 1e6, 1), "rollouts": args.rollouts, "prompt_len": P, "response_len": R,
                "micro_batch": args.micro_batch, "threads": args.threads, "memory_rows": args.memory_rows,
                "vocab": VOCAB, "clip": CLIP, "lr": LR,
                "model": "random Qwen2-shaped, hidden 512, 8 layers, 8/2 heads, intermediate 1024, untied, fp32"}
    update = bench_record.row(
        "grpo-update",
        f"one GRPO update ({n_params / 1e6:.1f}M Qwen2-shaped, {args.rollouts} rollouts x {R} tokens, fwd+bwd+AdamW, "
        f"{args.threads} threads)",
        "s", "lower", ours["seconds"], torch_seconds, "PyTorch eager")
    mem = bench_record.row(
        "logprob-peak-memory",
        f"peak memory of the log-prob/entropy pass, {memory['rows']} tokens x {memory['vocab']} vocab (fwd+bwd)",
        "MiB", "lower", [m["chunked"]["peak_increase_mib"] for m in memory_runs],
        [m["naive"]["peak_increase_mib"] for m in memory_runs], "full-vocabulary version", ratio_suffix="x less")
    details = {"first_update": {"ttrl_loss": ours["loss"], "torch_loss": torch_loss, "ttrl_grad_norm": ours["grad_norm"],
                                "torch_grad_norm": torch_norm},
               "memory_seconds": {"chunked": chunked["seconds"], "naive": naive["seconds"]},
               "max_logprob_difference": memory["max_logprob_difference"],
               "max_hidden_grad_difference": memory["max_hidden_grad_difference"], "memory_runs": memory_runs}
    bench_record.write(args.json, bench_record.record(meta, "grpo_update", "bench/bench_grpo_update.py", workload,
                                                      [update, mem], args.repeats, details))
rel_loss = abs(ours["loss"] - torch_loss) / max(1e-12, abs(torch_loss))
rel_norm = abs(ours["grad_norm"] - torch_norm) / max(1e-12, abs(torch_norm))
if rel_loss > 1e-4 or rel_norm > 1e-3:
    raise SystemExit(f"ttrl and PyTorch disagree: loss {rel_loss:.1e}, grad norm {rel_norm:.1e} relative")
