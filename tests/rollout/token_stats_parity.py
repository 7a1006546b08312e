"""Per-token statistics of `ttrl generate` against a float64 computation from transformers' logits: for every sampled
token of a tiny random Qwen2 checkpoint (temperature 0.7), its log-prob, the entropy of softmax(z) and the
self-certainty KL(U || softmax(z)) with z = logits / 0.7, over the full vocabulary, must agree within 1e-5."""
import json, math, os, subprocess, sys, tempfile

try:
    import torch
    import transformers
except ImportError as e:
    print(f"skip: {e}"); sys.exit(77)

ttrl = sys.argv[1]
torch.manual_seed(0)
torch.set_num_threads(2)
VOCAB, T, TOL = 512, 0.7, 1e-5

config = transformers.Qwen2Config(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                                  initializer_range=0.1, tie_word_embeddings=False)
worst = {"logprobs": 0.0, "entropies": 0.0, "self_certainties": 0.0}
tokens = 0
with tempfile.TemporaryDirectory() as d:
    model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32).eval()
    model.save_pretrained(d)
    prompts = [torch.randint(0, VOCAB, (n,)).tolist() for n in (4, 9)]
    with open(os.path.join(d, "in.jsonl"), "w") as f:
        for p in prompts:
            f.write(json.dumps({"prompt_ids": p}) + "\n")
    subprocess.run([ttrl, "--log-level", "warn", "generate", "--model", d, "--input", os.path.join(d, "in.jsonl"),
                    "--output", os.path.join(d, "out.jsonl"), "--temperature", str(T), "--n", "3",
                    "--max-new-tokens", "24", "--dtype", "float32", "--device", "cpu", "--seed", "5"], check=True)
    for line in open(os.path.join(d, "out.jsonl")):
        row = json.loads(line)
        prompt, completion = prompts[row["prompt_index"]], row["completion_ids"]
        with torch.no_grad():
            logits = model(torch.tensor([prompt + completion])).logits[0].to(torch.float64)
        z = logits[len(prompt) - 1: len(prompt) - 1 + len(completion)] / T
        logp = torch.log_softmax(z, -1)
        want = {"logprobs": logp.gather(1, torch.tensor(completion).unsqueeze(1)).squeeze(1),
                "entropies": -(logp.exp() * logp).sum(-1),
                "self_certainties": (-math.log(VOCAB) - logp).mean(-1)}
        for key, values in want.items():
            got = torch.tensor(row[key], dtype=torch.float64)
            assert got.shape == values.shape, (key, got.shape, values.shape)
            worst[key] = max(worst[key], (got - values).abs().max().item())
        tokens += len(completion)
print(f"{tokens} sampled tokens; largest |ttrl - float64 reference|: " +
      ", ".join(f"{k} {v:.2e}" for k, v in worst.items()))
sys.exit(0 if tokens > 0 and all(v <= TOL for v in worst.values()) else 1)
