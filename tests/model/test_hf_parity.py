#!/usr/bin/env python3
"""Parity of ttrl's Llama-family model against Hugging Face transformers (the reference no one here wrote).

For four tiny random architectures written here with save_pretrained (Qwen2 with q/k/v biases; Qwen3 with q/k norm
and head_dim != hidden/heads; Llama with llama3 RoPE scaling and tied embeddings; Mistral with a head_dim override;
all with grouped-query attention), it checks through tests/model/model_parity_tool:

  score   per-token log-probs and entropies of completions, float32           max abs diff < 1e-4
  grad    gradient of mean(-logprob + 0.5 * entropy) for every parameter       max rel diff < 1e-4
          (with and without gradient checkpointing)
  greedy  greedy continuations decoded with ttrl's KV cache (rows of different lengths in one batch) equal
          transformers' generate(do_sample=False)
  resave  a checkpoint re-written by ttrl (sharded) loads in transformers with no missing/unexpected keys and gives
          the same logits; a checkpoint ttrl initialised itself gives the same logits in transformers and ttrl
  bf16    (Qwen2 only) bfloat16 log-probs as close to the float32 truth as transformers' bfloat16 ones

Exit code 0: pass, 1: failure, 77: skipped (transformers not importable).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

try:
    import torch
    import transformers
    from safetensors.torch import load_file
except ImportError as error:  # the environment cannot run the reference
    print(f"skipped: {error}")
    sys.exit(77)

TOL_SCORE = 1e-4
TOL_GRAD_REL = 1e-4
TOL_LOGITS = 1e-4


def architectures():
    common = dict(vocab_size=211, intermediate_size=96, num_hidden_layers=2, max_position_embeddings=256,
                  rms_norm_eps=1e-6)
    return {
        "qwen2": transformers.Qwen2Config(hidden_size=48, num_attention_heads=6, num_key_value_heads=2,
                                          rope_theta=1e6, tie_word_embeddings=False, **common),
        "qwen3": transformers.Qwen3Config(hidden_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=24,
                                          rope_theta=1e6, tie_word_embeddings=False, **common),
        "llama": transformers.LlamaConfig(hidden_size=64, num_attention_heads=4, num_key_value_heads=1,
                                          rope_theta=500000.0, tie_word_embeddings=True,
                                          rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                        "high_freq_factor": 4.0,
                                                        "original_max_position_embeddings": 16},
                                          bos_token_id=1, eos_token_id=[2, 3], **common),
        "mistral": transformers.MistralConfig(hidden_size=64, num_attention_heads=4, num_key_value_heads=2,
                                              head_dim=32, sliding_window=None, tie_word_embeddings=False, **common),
    }


def make_checkpoint(name, config, directory, seed):
    """A random model with weights large enough that distributions are far from uniform (transformers' own init, std
    0.02, gives near-uniform next-token distributions, which would make the comparison weak)."""
    torch.manual_seed(seed)
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "norm" in pname:
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif pname.endswith(".bias"):
                p.copy_(0.5 * torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) * (1.5 / p.shape[-1] ** 0.5))
    model.save_pretrained(directory)
    with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
        json.dump({"model_max_length": 256, "tokenizer_class": "PreTrainedTokenizerFast"}, f)
    return model.eval()


def make_requests(vocab, seed):
    g = torch.Generator().manual_seed(seed)
    shapes = [(5, 9), (1, 4), (17, 30), (8, 0), (3, 1), (40, 25)]  # (prompt, completion) lengths; positions up to 65
    return [{"prompt_ids": torch.randint(vocab, (p,), generator=g).tolist(),
             "completion_ids": torch.randint(vocab, (c,), generator=g).tolist()} for p, c in shapes]


def write_jsonl(path, records):
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Checker:
    def __init__(self, tool):
        self.tool = tool
        self.failures = []
        self.figures = {}

    def run(self, *args):
        result = subprocess.run([self.tool, *map(str, args)], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"model_parity_tool {' '.join(map(str, args))} failed:\n{result.stderr}")

    def check(self, arch, what, value, bound):
        self.figures.setdefault(arch, {})[what] = value
        ok = value < bound
        print(f"  {arch:8s} {what:34s} {value:.3e}  (< {bound:.0e})  {'ok' if ok else 'FAIL'}")
        if not ok:
            self.failures.append(f"{arch} {what}: {value:.3e} >= {bound:.0e}")

    def expect(self, arch, what, condition, detail=""):
        print(f"  {arch:8s} {what:34s} {'ok' if condition else 'FAIL ' + detail}")
        if not condition:
            self.failures.append(f"{arch} {what}: {detail}")


def reference_scores(model, requests):
    out = []
    with torch.no_grad():
        for r in requests:
            ids = torch.tensor([r["prompt_ids"] + r["completion_ids"]])
            logp = torch.log_softmax(model(input_ids=ids).logits[0].float(), -1)
            p = len(r["prompt_ids"])
            rows = logp[p - 1:p - 1 + len(r["completion_ids"])]
            lp = rows.gather(1, torch.tensor(r["completion_ids"], dtype=torch.long).view(-1, 1)).view(-1)
            ent = -(rows.exp() * rows).sum(-1)
            out.append((lp, ent))
    return out


def compare_scores(checker, arch, model, requests, ours_path, label, bound):
    ours = read_jsonl(ours_path)
    lp_diff = ent_diff = 0.0
    for (lp, ent), mine in zip(reference_scores(model, requests), ours):
        if len(lp) == 0:
            checker.expect(arch, f"{label} empty completion", mine["logprobs"] == [] and mine["entropies"] == [])
            continue
        lp_diff = max(lp_diff, (torch.tensor(mine["logprobs"]) - lp).abs().max().item())
        ent_diff = max(ent_diff, (torch.tensor(mine["entropies"]) - ent).abs().max().item())
    checker.check(arch, f"{label} logprob max abs diff", lp_diff, bound)
    checker.check(arch, f"{label} entropy max abs diff", ent_diff, bound)


def reference_grads(model, requests):
    """Same loss as the tool: right-padded batch, causal attention, mean over completion tokens of -lp + 0.5 H."""
    model.zero_grad()
    longest = max(len(r["prompt_ids"]) + len(r["completion_ids"]) for r in requests)
    ids = torch.zeros(len(requests), longest, dtype=torch.long)
    rows, targets = [], []
    for b, r in enumerate(requests):
        seq = r["prompt_ids"] + r["completion_ids"]
        ids[b, :len(seq)] = torch.tensor(seq)
        for j, t in enumerate(r["completion_ids"]):
            rows.append(b * longest + len(r["prompt_ids"]) + j - 1)
            targets.append(t)
    logits = model(input_ids=ids).logits.float().reshape(-1, model.config.vocab_size)[torch.tensor(rows)]
    logp = torch.log_softmax(logits, -1)
    lp = logp.gather(1, torch.tensor(targets).view(-1, 1)).view(-1)
    ent = -(logp.exp() * logp).sum(-1)
    loss = (-lp + 0.5 * ent).mean()
    loss.backward()
    return loss.item(), {n: p.grad.detach().clone() for n, p in model.named_parameters()}


def compare_grads(checker, arch, model, ours_path, label, ref):
    ref_loss, ref_grads = ref
    ours = load_file(ours_path)
    checker.check(arch, f"{label} loss abs diff", abs(ours["loss"].item() - ref_loss), 1e-5)
    worst, worst_name = 0.0, ""
    for name, g in ref_grads.items():
        if name not in ours:
            checker.expect(arch, f"{label} gradient of {name}", False, "missing")
            continue
        rel = ((ours[name] - g).abs().max() / g.abs().max().clamp_min(1e-12)).item()
        if rel > worst:
            worst, worst_name = rel, name
    checker.check(arch, f"{label} max rel diff", worst, TOL_GRAD_REL)
    checker.figures[arch][f"{label} worst parameter"] = worst_name
    for name in ("model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                 "model.layers.1.mlp.down_proj.weight"):
        g = ref_grads[name]
        checker.figures[arch][f"{label} rel diff {name}"] = ((ours[name] - g).abs().max() / g.abs().max()).item()


def reference_logits(directory, requests):
    model, info = transformers.AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32,
                                                                    output_loading_info=True)
    with torch.no_grad():
        logits = [model(input_ids=torch.tensor([r["prompt_ids"] + r["completion_ids"]])).logits[0] for r in requests]
    return logits, info


def check_arch(checker, arch, config, workdir, seed):
    src = os.path.join(workdir, arch)
    model = make_checkpoint(arch, config, src, seed)
    requests = make_requests(config.vocab_size, seed)
    inputs = os.path.join(workdir, f"{arch}.jsonl")
    write_jsonl(inputs, requests)

    checker.run("score", src, inputs, os.path.join(workdir, f"{arch}.scores.jsonl"))
    compare_scores(checker, arch, model, requests, os.path.join(workdir, f"{arch}.scores.jsonl"), "fp32", TOL_SCORE)

    ref = reference_grads(model, requests)
    for flag, label in (("plain", "grad"), ("checkpointing", "grad+ckpt")):
        out = os.path.join(workdir, f"{arch}.{flag}.grads.safetensors")
        checker.run("grad", src, inputs, out, flag)
        compare_grads(checker, arch, model, out, label, ref)

    prompts = [{"prompt_ids": r["prompt_ids"], "completion_ids": []} for r in requests]
    write_jsonl(os.path.join(workdir, f"{arch}.prompts.jsonl"), prompts)
    checker.run("greedy", src, os.path.join(workdir, f"{arch}.prompts.jsonl"), os.path.join(workdir, f"{arch}.greedy.jsonl"), 12)
    ours = read_jsonl(os.path.join(workdir, f"{arch}.greedy.jsonl"))
    with torch.no_grad():
        same = 0
        for r, mine in zip(prompts, ours):
            ref_ids = model.generate(torch.tensor([r["prompt_ids"]]), max_new_tokens=12, do_sample=False,
                                     attention_mask=torch.ones(1, len(r["prompt_ids"]), dtype=torch.long),
                                     eos_token_id=None, pad_token_id=0)[0, len(r["prompt_ids"]):].tolist()
            same += ref_ids == mine["ids"]
    checker.expect(arch, "greedy (KV cache) == generate", same == len(prompts), f"{same}/{len(prompts)} rows equal")

    # A checkpoint ttrl re-writes (sharded) loads in transformers and gives the same logits.
    resaved = os.path.join(workdir, f"{arch}.resaved")
    checker.run("resave", src, resaved, 20000)
    ref_logits, _ = reference_logits(src, requests)
    new_logits, info = reference_logits(resaved, requests)
    problems = {k: v for k, v in info.items() if v and k != "error_msgs"}
    checker.expect(arch, "resaved: no missing/unexpected keys", not problems, str(problems))
    checker.expect(arch, "resaved: sharded + tokenizer copied",
                   os.path.exists(os.path.join(resaved, "model.safetensors.index.json"))
                   and os.path.exists(os.path.join(resaved, "tokenizer_config.json")))
    diff = max((a - b).abs().max().item() for a, b in zip(ref_logits, new_logits))
    checker.check(arch, "resaved logits max abs diff", diff, 1e-6)

    # A model ttrl initialised from this config.json: transformers and ttrl agree on its logits.
    config_only = os.path.join(workdir, f"{arch}.config")
    os.makedirs(config_only, exist_ok=True)
    with open(os.path.join(src, "config.json")) as f:
        config_json = json.load(f)
    config_json["initializer_range"] = 0.5  # peaked distributions, so that the comparison means something
    with open(os.path.join(config_only, "config.json"), "w") as f:
        json.dump(config_json, f)
    born = os.path.join(workdir, f"{arch}.ttrl_random")
    checker.run("random", config_only, born, seed)
    hf_logits, info = reference_logits(born, requests)
    problems = {k: v for k, v in info.items() if v and k != "error_msgs"}
    checker.expect(arch, "ttrl-initialised: loads cleanly", not problems, str(problems))
    checker.run("logits", born, inputs, os.path.join(workdir, f"{arch}.born.logits.safetensors"))
    ours = load_file(os.path.join(workdir, f"{arch}.born.logits.safetensors"))
    diff = max((ours[f"logits.{i}"] - l).abs().max().item() for i, l in enumerate(hf_logits))
    checker.check(arch, "ttrl-initialised logits max abs diff", diff, TOL_LOGITS)

    if arch == "qwen2":
        check_bf16(checker, arch, model, src, requests, inputs, workdir)


def check_bf16(checker, arch, model32, src, requests, inputs, workdir):
    """bf16 results differ from transformers' bf16 by rounding noise of the size of bf16's own error, so the test is
    that ttrl's bf16 log-probs are about as close to the float32 truth as transformers' bf16 log-probs are."""
    bf16_model = transformers.AutoModelForCausalLM.from_pretrained(src, dtype=torch.bfloat16).eval()
    out = os.path.join(workdir, f"{arch}.bf16.scores.jsonl")
    checker.run("score", src, inputs, out, "bfloat16")
    ours = read_jsonl(out)
    truth = reference_scores(model32, requests)
    theirs = reference_scores(bf16_model, requests)
    ours_err = hf_err = ours_vs_hf = 0.0
    for (lp32, _), (lp_hf, _), mine in zip(truth, theirs, ours):
        if len(lp32) == 0:
            continue
        lp = torch.tensor(mine["logprobs"])
        ours_err = max(ours_err, (lp - lp32).abs().max().item())
        hf_err = max(hf_err, (lp_hf - lp32).abs().max().item())
        ours_vs_hf = max(ours_vs_hf, (lp - lp_hf).abs().max().item())
    checker.figures.setdefault(arch, {}).update(
        {"bf16 logprob max abs diff ttrl vs transformers": ours_vs_hf, "bf16 transformers vs fp32": hf_err})
    print(f"  {arch:8s} bf16: ttrl vs transformers {ours_vs_hf:.3e}, transformers vs fp32 {hf_err:.3e}")
    checker.check(arch, "bf16 ttrl vs fp32 (bound: 1.5x hf+0.02)", ours_err, 1.5 * hf_err + 0.02)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", required=True, help="path of model_parity_tool")
    parser.add_argument("--workdir", required=True, help="scratch directory (emptied)")
    parser.add_argument("--arch", action="append", help="only these architectures")
    args = parser.parse_args()
    torch.set_num_threads(2)
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    checker = Checker(args.tool)
    start = time.time()
    for seed, (arch, config) in enumerate(architectures().items(), start=1):
        if args.arch and arch not in args.arch:
            continue
        check_arch(checker, arch, config, args.workdir, seed)
    with open(os.path.join(args.workdir, "figures.json"), "w") as f:
        json.dump(checker.figures, f, indent=2)
    print(f"{time.time() - start:.1f} s; figures in {os.path.join(args.workdir, 'figures.json')}")
    if checker.failures:
        print("FAILED:\n  " + "\n  ".join(checker.failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
