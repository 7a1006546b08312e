"""Greedy generation of `ttrl generate --temperature 0` against transformers' greedy generate() on tiny random
checkpoints of several architectures: the completions must be token-identical, stopping on the same EOS ids
(config eos lists included). Float32, both on --device (default cpu; tests/gpu runs it with --device cuda).

  greedy_parity.py TTRL [--device cpu|cuda|cuda:N]      exit 0 pass, 1 fail, 77 skipped
"""
import argparse, json, os, subprocess, sys, tempfile

try:
    import torch
    import transformers
except ImportError as e:
    print(f"skip: {e}"); sys.exit(77)

parser = argparse.ArgumentParser()
parser.add_argument("ttrl")
parser.add_argument("--device", default="cpu")
args = parser.parse_args()
ttrl, device = args.ttrl, args.device
if device != "cpu" and not torch.cuda.is_available():
    print("skip: no CUDA device visible (torch.cuda.is_available() is false)"); sys.exit(77)
if device != "cpu" and int(device.partition(":")[2] or 0) >= torch.cuda.device_count():
    print(f"skip: {device} is not visible ({torch.cuda.device_count()} CUDA device(s))"); sys.exit(77)
torch.manual_seed(0)
torch.set_num_threads(2)
VOCAB = 512

def configs():
    common = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256, initializer_range=0.1)
    yield "qwen2", transformers.Qwen2Config(**common, tie_word_embeddings=False)
    yield "qwen3", transformers.Qwen3Config(**{**common, "head_dim": 24}, tie_word_embeddings=True)
    yield "llama", transformers.LlamaConfig(**{**common, "num_key_value_heads": 1}, tie_word_embeddings=True,
        rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                          original_max_position_embeddings=64))
    yield "mistral", transformers.MistralConfig(**{**common, "head_dim": 32}, sliding_window=None)

failures = 0
with tempfile.TemporaryDirectory() as tmp:
    for name, config in configs():
        model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32).eval()
        d = os.path.join(tmp, name)
        model.save_pretrained(d)
        model.to(device)
        prompts = [torch.randint(0, VOCAB, (n,)).tolist() for n in (3, 11, 30)]
        # EOS ids (a list) chosen from the free greedy runs so that the first prompt stops near token 12, the second
        # near token 25, and the third (whose run shares no token with them) goes to the length limit.
        free = [model.generate(torch.tensor([p], device=device), max_new_tokens=40, do_sample=False, eos_token_id=None,
                               pad_token_id=0)[0, len(p):].tolist() for p in prompts]
        eos = sorted({t for t in (free[0][12], free[1][25]) if t not in free[2]} or {VOCAB - 1})
        gen = transformers.GenerationConfig(eos_token_id=eos, pad_token_id=0, do_sample=False)
        gen.save_pretrained(d)
        want = []
        for p in prompts:
            out = model.generate(torch.tensor([p], device=device), max_new_tokens=40,
                                 generation_config=gen)[0, len(p):].tolist()
            want.append(out)
        with open(os.path.join(d, "in.jsonl"), "w") as f:
            for p in prompts:
                f.write(json.dumps({"prompt_ids": p}) + "\n")
        r = subprocess.run([ttrl, "--log-level", "warn", "generate", "--model", d, "--input",
                            os.path.join(d, "in.jsonl"), "--output", os.path.join(d, "out.jsonl"), "--temperature", "0",
                            "--max-new-tokens", "40", "--dtype", "float32", "--device", device],
                           stderr=subprocess.PIPE, text=True)
        sys.stderr.write(r.stderr)
        if r.returncode != 0 and "requested but" in r.stderr:  # ttrl's LibTorch cannot use the device
            print(f"skip: {r.stderr.strip().splitlines()[-1]}"); sys.exit(77)
        if r.returncode != 0:
            sys.exit(f"ttrl generate failed (exit {r.returncode})")
        got = [json.loads(l)["completion_ids"] for l in open(os.path.join(d, "out.jsonl"))]
        stopped = sum(len(w) < 40 for w in want)
        same = sum(g == w for g, w in zip(got, want))
        print(f"{name}: {same}/{len(want)} identical greedy completions, lengths {[len(w) for w in want]} "
              f"({stopped} stopped on an EOS id from {eos})")
        if same != len(want):
            failures += 1
            for g, w in zip(got, want):
                if g != w:
                    print("  ttrl:", g, "\n  hf:  ", w)
sys.exit(1 if failures else 0)
