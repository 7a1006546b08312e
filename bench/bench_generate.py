"""TTRL-shaped sampling workload: ttrl generate against transformers generate() in the same run.

A random Qwen2-shaped checkpoint (hidden 384, 4 layers, 6 heads, 2 KV heads, intermediate 1024, vocab 32000, fp32)
whose eos_token_id is a list of 480 ids (a sample stops with probability ~1.5% per token, so lengths vary as real
rollouts do); 4 prompts of 256 tokens x 16 samples, up to 256 new tokens, temperature 1, 2 threads.
transformers is timed around generate() only; ttrl as a whole process (load, sampling, writing the output).
Prints completion tokens/s of both, the ratio, and the achieved GFLOP/s of ttrl against a plain matmul.
Both sides run --repeats times (ttrl first, see below); the figures quoted are the medians.
--json PATH writes them as a record for scripts/bench_table.py (see bench/bench_record.py).

    .venv/bin/python bench/bench_generate.py [--ttrl build/bin/ttrl] [--prompts 4] [--n 16] [--max-new 256] \\
        [--repeats 3] [--json bench/results/generate.json]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

import bench_record

import torch
import transformers

p = argparse.ArgumentParser()
p.add_argument("--ttrl", default=os.path.join(os.path.dirname(__file__), "..", "build", "bin", "ttrl"))
p.add_argument("--prompts", type=int, default=4)
p.add_argument("--prompt-len", type=int, default=256)
p.add_argument("--n", type=int, default=16)
p.add_argument("--max-new", type=int, default=256)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--repeats", type=int, default=3, help="timed runs of each side; medians are reported")
p.add_argument("--json", metavar="PATH", help="write the result record here (bench/bench_record.py)")
args = p.parse_args()
if args.repeats < 1:
    p.error("--repeats must be >= 1")
meta = bench_record.begin(args.threads)
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
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    hf_runs, ttrl_runs = [], []  # (completion tokens, seconds) per repeat
    # ttrl's runs first: after generate() this process's OpenMP threads and memory slow a child process down (measured:
    # the same ttrl command took 8.0 s right after a generate() call, 5.3 s before it), which is not ttrl's cost.
    for r in range(args.repeats):
        start = time.perf_counter()
        subprocess.run([args.ttrl, "--log-level", "warn", "generate", "--model", d, "--input", os.path.join(d, "in.jsonl"),
                        "--output", os.path.join(d, "out.jsonl"), "--n", str(args.n), "--max-new-tokens", str(args.max_new),
                        "--temperature", "1", "--dtype", "float32", "--device", "cpu"], check=True, env=env)
        ttrl_seconds = time.perf_counter() - start
        rows = [json.loads(l) for l in open(os.path.join(d, "out.jsonl"))]
        ttrl_tokens = sum(len(r_["completion_ids"]) for r_ in rows)
        ttrl_runs.append((ttrl_tokens, ttrl_seconds))
    for r in range(args.repeats):
        start = time.perf_counter()
        with torch.no_grad():
            out = model.generate(torch.tensor(prompts), generation_config=gen)
        hf_seconds = time.perf_counter() - start
        hf_tokens = sum(completion_tokens(row[args.prompt_len:].tolist()) for row in out)
        hf_runs.append((hf_tokens, hf_seconds))
    if args.repeats > 1:
        for r, ((hf_tokens, hf_seconds), (ttrl_tokens, ttrl_seconds)) in enumerate(zip(hf_runs, ttrl_runs)):
            print(f"run {r + 1}/{args.repeats}: transformers {hf_tokens / hf_seconds:.1f} tok/s, "
                  f"ttrl {ttrl_tokens / ttrl_seconds:.1f} tok/s", flush=True)

# FLOPs ttrl did: 2 x (decoder linear weights + lm_head) per processed token (prefill once per prompt) + attention.
linear = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))
ttrl_gflops = [2 * linear * (args.prompts * args.prompt_len + tokens) / seconds / 1e9 for tokens, seconds in ttrl_runs]
a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
for _ in range(3):
    a @ b
start = time.perf_counter()
for _ in range(20):
    a @ b
matmul_gflops = 20 * 2 * 1024 ** 3 / (time.perf_counter() - start) / 1e9

hf_rates = [tokens / seconds for tokens, seconds in hf_runs]
ttrl_rates = [tokens / seconds for tokens, seconds in ttrl_runs]
hf_rate, ttrl_rate, gflops = map(statistics.median, (hf_rates, ttrl_rates, ttrl_gflops))
of = f" (median of {args.repeats} runs)" if args.repeats > 1 else ""
print(f"workload: {args.prompts} prompts x {args.prompt_len} tokens x {args.n} samples, <= {args.max_new} new, "
      f"{args.threads} threads")
print(f"transformers generate(): {statistics.median(t for t, _ in hf_runs):.0f} completion tokens in "
      f"{statistics.median(s_ for _, s_ in hf_runs):.2f} s = {hf_rate:.1f} tok/s{of}")
print(f"ttrl generate (process): {statistics.median(t for t, _ in ttrl_runs):.0f} completion tokens in "
      f"{statistics.median(s_ for _, s_ in ttrl_runs):.2f} s = {ttrl_rate:.1f} tok/s{of}")
print(f"ratio ttrl / transformers: {ttrl_rate / hf_rate:.2f}x")
print(f"ttrl achieved {gflops:.1f} GFLOP/s (linear layers) vs plain 1024^3 matmul "
      f"{matmul_gflops:.1f} GFLOP/s ({100 * gflops / matmul_gflops:.0f}%)")

if args.json:
    workload = {"prompts": args.prompts, "prompt_len": args.prompt_len, "n": args.n, "max_new": args.max_new,
                "threads": args.threads, "temperature": 1.0, "dtype": "float32", "eos_ids": len(eos),
                "model": "random Qwen2-shaped, hidden 384, 4 layers, 6/2 heads, intermediate 1024, vocab 32000"}
    what = (f"TTRL-shaped sampling ({args.prompts} prompts x {args.n} samples, <= {args.max_new} tokens, "
            f"{args.threads} threads)")
    row = bench_record.row("generate", what, "tok/s", "higher", ttrl_rates, hf_rates, "transformers `generate()`",
                           ttrl_runs=[{"completion_tokens": t, "seconds": s_} for t, s_ in ttrl_runs],
                           reference_runs=[{"completion_tokens": t, "seconds": s_} for t, s_ in hf_runs])
    details = {"ttrl_gflops": gflops, "ttrl_gflops_repeats": ttrl_gflops, "matmul_gflops": matmul_gflops,
               "note": "ttrl is timed as a whole process (load, sampling, writing); transformers around generate()"}
    bench_record.write(args.json, bench_record.record(meta, "generate", "bench/bench_generate.py", workload, [row],
                                                      args.repeats, details))
