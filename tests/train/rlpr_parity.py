"""rlpr's scoring pass against transformers: `ttrl reward --model DIR` with reward.name=rlpr on a tiny random Qwen2
checkpoint (byte tokenizer, prompt template "{question}\\n", temperature 0.8) must give the rewards and probabilities
computed here from transformers' float32 logits in float64: for each rollout, the mean probability of the gold
answer's tokens after the response up to its final answer, minus the same after the template "\\boxed{" alone,
clipped at 0."""
import json, os, subprocess, sys, tempfile

try:
    import torch
    import transformers
except ImportError as e:
    print(f"skip: {e}"); sys.exit(77)

ttrl = sys.argv[1]
torch.manual_seed(0)
T, TOL = 0.8, 1e-7
config = transformers.Qwen2Config(vocab_size=260, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                                  initializer_range=0.2, tie_word_embeddings=False)
question = "Compute 2+3."
texts = ["2+3=5, so \\boxed{5}.", "2+3=6. \\boxed{6}", "I do not know.", "3+2 is 5, hence \\boxed{5}"]
answers = ["5", "6", None, "5"]  # what the math extractor reads (checked against ttrl's "answers" below)
gold = "5"


def ids(text):
    return list(text.encode("utf-8"))  # the byte tokenizer: id = byte


def mean_probability(model, prefix, target):
    context = ids(question + "\n") + ids(prefix)
    full = torch.tensor([context + ids(target)])
    with torch.no_grad():
        logits = model(full).logits[0].to(torch.float64) / T
    logp = torch.log_softmax(logits, -1)
    positions = range(len(context) - 1, len(context) - 1 + len(ids(target)))
    return sum(logp[p, t].exp().item() for p, t in zip(positions, ids(target))) / len(ids(target))


with tempfile.TemporaryDirectory() as d:
    model = transformers.AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32).eval()
    model.save_pretrained(d)
    run_yaml = os.path.join(d, "run.yaml")
    with open(run_yaml, "w") as f:
        f.write("tokenizer:\n  path: byte\n  chat_template: custom\n  custom_template: \"{question}\\n\"\n"
                f"rollout:\n  temperature: {T}\nreward:\n  name: rlpr\n  label: gold\n  task: math\n")
    groups = os.path.join(d, "groups.jsonl")
    with open(groups, "w") as f:
        f.write(json.dumps({"prompt": question, "gold": gold, "rollouts": [{"text": t} for t in texts]}) + "\n")
    out = subprocess.run([ttrl, "--log-level", "warn", "reward", "-c", run_yaml, "--input", groups, "--model", d,
                          "--set", "model.dtype=float32", "--set", "model.device=cpu"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"ttrl reward failed: {out.stderr}")
    got = json.loads(out.stdout)
    assert got["answers"] == answers, got["answers"]
    baseline = mean_probability(model, "\\boxed{", gold)
    scored = [mean_probability(model, t[:t.rfind(a)], gold) for t, a in zip(texts, answers) if a is not None]
    want_rewards, k = [], 0
    for a in answers:
        want_rewards.append(0.0 if a is None else max(0.0, scored[k] - baseline))
        k += a is not None
    checks = [("reference_probability_no_reasoning", got["metrics"]["reference_probability_no_reasoning"], baseline),
              ("reference_probability", got["metrics"]["reference_probability"], sum(scored) / len(scored))]
    checks += [(f"reward[{i}]", g, w) for i, (g, w) in enumerate(zip(got["rewards"], want_rewards))]
    worst = max(abs(g - w) for _, g, w in checks)
    for name, g, w in checks:
        print(f"{name:40s} ttrl {g:.9f}  transformers {w:.9f}")
    print(f"largest difference {worst:.2e} (tolerance {TOL:g}); probabilities around {baseline:.3f}")
    assert baseline > 1e-3 and any(r > 0 for r in want_rewards), (baseline, want_rewards)
    sys.exit(0 if worst <= TOL else 1)
