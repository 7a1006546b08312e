"""TTRL-shaped sampling workload: ttrl generate against transformers generate() in the same run.

A random Qwen2-shaped checkpoint (hidden 384, 4 layers, 6 heads, 2 KV heads, intermediate 1024, vocab 32000, fp32)
whose eos_token_id is a list of 480 ids (a sample stops with probability ~1.5% per token, so lengths vary as real
rollouts do); 4 prompts of 256 tokens x 16 samples, up to 256 new tokens, temperature 1, 2 threads.
transformers is timed around generate() only; ttrl as a whole process (load, sampling, writing the output).
Prints completion tokens/s of both, the ratio, and the achieved GFLOP/s of ttrl against a plain matmul.

    .venv/bin/python bench/bench_generate.py [--ttrl build/bin/ttrl] [--prompts 4] [--n 16] [--max-new 256]
"""
import argparse, json, os, subprocess, sys, tempfile, time

import torch
import transformers

p = argparse.ArgumentParser()
p.add_argument("--ttrl", default=os.path.join(os.path.dirname(__file__), "..", "build", "bin", "ttrl"))
p.add_argument("--prompts", type=int, default=4)
p.add_argument("--prompt-len", type=int, default=256)
p.add_argument("--n", type=int, default=16)
p.add_argument("--max-new", type=int, default=256)
p.add_argument("--threads", type=int, default=2)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
VOCAB = 32000

config = transformers.Qwen2Config(vocab_size=VOCAB, hidden_size=384, num_hidden_layers=4, num_attention_heads=6,
                                  num_key_value_heads=2, intermediate_size=1024, max_position_embeddings=1024,
                                  tie_word_embeddings=False)
model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32).eval()
eos = sorted(torch.randperm(VOCAB)[:480].tolist())
prompts = [[t for t in torch.randint(0, VOCAB, (args.prompt_len,)).tolist() if t not in eos][:args.prompt_len - 8]
           for _ in range(args.prompts)]
prompts = [p_ + [1] * (args.prompt_len - len(p_)) for p_ in prompts]

def completion_tokens(seq):
    for i, t in enumerate(seq):
        if t in eos_set:
            return i + 1
    return len(seq)
eos_set = set(eos)

with tempfile.TemporaryDirectory() as d:
    model.save_pretrained(d)
    transformers.GenerationConfig(eos_token_id=eos, pad_token_id=eos[0]).save_pretrained(d)
    with open(os.path.join(d, "in.jsonl"), "w") as f:
        for p_ in prompts:
            f.write(json.dumps({"prompt_ids": p_}) + "\n")

    # transformers: one batched generate() per prompt set, n return sequences each.
    gen = transformers.GenerationConfig(do_sample=True, temperature=1.0, top_p=1.0, top_k=0, max_new_tokens=args.max_new,
                                        num_return_sequences=args.n, eos_token_id=eos, pad_token_id=eos[0])
    start = time.perf_counter()
    with torch.no_grad():
        out = model.generate(torch.tensor(prompts), generation_config=gen)
    hf_seconds = time.perf_counter() - start
    hf_tokens = sum(completion_tokens(row[args.prompt_len:].tolist()) for row in out)

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    start = time.perf_counter()
    subprocess.run([args.ttrl, "--log-level", "warn", "generate", "--model", d, "--input", os.path.join(d, "in.jsonl"),
                    "--output", os.path.join(d, "out.jsonl"), "--n", str(args.n), "--max-new-tokens", str(args.max_new),
                    "--temperature", "1", "--dtype", "float32", "--device", "cpu"], check=True, env=env)
    ttrl_seconds = time.perf_counter() - start
    rows = [json.loads(l) for l in open(os.path.join(d, "out.jsonl"))]
    ttrl_tokens = sum(len(r["completion_ids"]) for r in rows)

# FLOPs ttrl did: 2 x (decoder linear weights + lm_head) per processed token (prefill once per prompt) + attention.
linear = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))
processed = args.prompts * args.prompt_len + ttrl_tokens
flops = 2 * linear * processed
a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
for _ in range(3):
    a @ b
start = time.perf_counter()
for _ in range(20):
    a @ b
matmul_gflops = 20 * 2 * 1024 ** 3 / (time.perf_counter() - start) / 1e9

hf_rate, ttrl_rate = hf_tokens / hf_seconds, ttrl_tokens / ttrl_seconds
print(f"workload: {args.prompts} prompts x {args.prompt_len} tokens x {args.n} samples, <= {args.max_new} new, "
      f"{args.threads} threads")
print(f"transformers generate(): {hf_tokens} completion tokens in {hf_seconds:.2f} s = {hf_rate:.1f} tok/s")
print(f"ttrl generate (process): {ttrl_tokens} completion tokens in {ttrl_seconds:.2f} s = {ttrl_rate:.1f} tok/s")
print(f"ratio ttrl / transformers: {ttrl_rate / hf_rate:.2f}x")
print(f"ttrl achieved {flops / ttrl_seconds / 1e9:.1f} GFLOP/s (linear layers) vs plain 1024^3 matmul "
      f"{matmul_gflops:.1f} GFLOP/s ({100 * flops / ttrl_seconds / 1e9 / matmul_gflops:.0f}%)")
