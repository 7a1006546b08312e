#!/usr/bin/env python3
"""ttrl on a GPU, each figure against a reference measured in the same run (scripts/gpu_check.sh runs it; with
--tiny --device cpu it is that script's dry run, every part on the same code paths with tiny sizes).

Model: a random Qwen2.5-1.5B-shaped checkpoint written here with transformers (hidden 1536, 28 layers, 12 heads / 2
KV heads, intermediate 8960, vocab 151936, tied embeddings; bfloat16 on CUDA, float32 on the CPU), whose
generation_config lists ~300 EOS ids (0.2% of the vocabulary, drawn at random): a random init's next-token
distribution is nearly uniform, so a sample stops with probability ~0.2% per token and lengths spread up to the
1024-token cap (measured on this shape, bf16, transformers' init, 96 positions: 300 random ids hold 0.198-0.204% of
the probability on average over three draws, 0.175-0.232% at single positions; entropy 11.62 nats, ln V = 11.93).
The stop rates of both sides are measured again in every run (part i).

  (i)   sampling, 8 prompts of 128 tokens x 64 samples, <= 1024 new tokens, temperature 1: `ttrl generate` (all 512
        sequences in one batch) against transformers generate() (do_sample, num_return_sequences=64, all prompts in
        one call): completion tokens/s of each and the ratio. ttrl's rate is that of its own sampling timer (load
        and output excluded, as transformers is timed around generate() only); its whole-process rate is printed too.
  (ii)  batch-1 decode, `ttrl generate --n 1 --ignore-eos --max-new-tokens 512`, against the memory roofline: the copy
        bandwidth measured here (torch copy of a 1 GiB buffer: bytes read + written / time) over the weight bytes
        read per token (every parameter once; the KV cache, under 1% of that at this length, is left out).
  (iii) one GRPO update of 32 rollouts x <= 1024 tokens of one 65-byte question (micro-batch 4, token-mean PPO loss,
        clip 0.2, no KL, grad-norm clip 1, AdamW over float32 master weights): `ttrl train` for one step (byte
        tokenizer, a copy of the checkpoint without EOS ids; its timing/update_s, the process stopped once the step's
        metrics are written, before its final checkpoint) against PyTorch eager (the transformers model, full-vocabulary
        float32 log_softmax, entropy as a metric, as verl/TRL compute them without fused kernels) on the same rollouts
        with random advantages (the cost does not depend on them). Each side's first update after sampling.
  (iv)  peak memory of each side in (i) and (iii). Python: torch.cuda.max_memory_allocated (and _reserved); ttrl: its
        process's memory in nvidia-smi polled every ~0.1 s (CUDA context and allocator cache included), or the GPU's
        used memory minus what it was before the process started when nvidia-smi does not list the process (a PID
        namespace). On the CPU: peak RSS, of this process from /proc/self/status (VmHWM, reset through
        /proc/self/clear_refs before each part) and of ttrl's from wait4's ru_maxrss.

--tiny: hidden 64, 2 layers, vocab 512 (one EOS id), 2 prompts x 4 samples, 32 tokens everywhere.
The parts run in the order ii, i, iii (cheapest first); --out FILE.json is rewritten after each, so that a run cut
short keeps what it measured. A part that fails is recorded and the others still run (exit status 1).

  python3 bench/bench_gpu.py [--device cuda|cpu] [--tiny] [--ttrl build/bin/ttrl] [--out bench.json]
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

import torch
import transformers

SHAPES = {
    "full": dict(hidden_size=1536, num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2,
                 intermediate_size=8960, vocab_size=151936, max_position_embeddings=32768),
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                 intermediate_size=128, vocab_size=512, max_position_embeddings=2048),
}
WORKLOADS = {  # prompts x n samples of prompt_len tokens, <= max_new; decode tokens; GRPO rollouts x response tokens
    "full": dict(prompts=8, n=64, prompt_len=128, max_new=1024, decode=512, rollouts=32, response=1024, micro_batch=4),
    "tiny": dict(prompts=2, n=4, prompt_len=16, max_new=32, decode=32, rollouts=4, response=32, micro_batch=2),
}
STOP_RATE = 0.002  # EOS ids = this share of the vocabulary
QUESTION = "What is the sum of the first twenty positive odd numbers? Answer:"  # 65 bytes
CLIP, LR = 0.2, 1e-6
GiB = 1 << 30

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--device", choices=["cuda", "cpu"], default="cuda")
p.add_argument("--tiny", action="store_true", help="tiny sizes (the CPU dry run)")
p.add_argument("--ttrl", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "bin", "ttrl"))
p.add_argument("--out", metavar="FILE.json", help="write the results here (after every part)")
args = p.parse_args()
if args.device == "cuda" and not torch.cuda.is_available():
    sys.exit("bench_gpu.py: --device cuda but torch sees no CUDA device (--device cpu runs on the CPU)")
CUDA = args.device == "cuda"
DEVICE = torch.device("cuda:0" if CUDA else "cpu")
DTYPE, DTYPE_NAME = (torch.bfloat16, "bfloat16") if CUDA else (torch.float32, "float32")
SIZE = "tiny" if args.tiny else "full"
W = WORKLOADS[SIZE]


def sync():
    if CUDA:
        torch.cuda.synchronize()


class Peak:
    """Peak memory of this process over a `with` block: CUDA max_memory_allocated / reserved, or the CPU's peak RSS."""

    def __enter__(self):
        sync()
        if CUDA:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        else:
            with open("/proc/self/clear_refs", "w") as f:  # VmHWM := VmRSS (Linux >= 4.0)
                f.write("5")
        return self

    def __exit__(self, *exc):
        sync()
        if CUDA:
            self.allocated, self.reserved = torch.cuda.max_memory_allocated(), torch.cuda.max_memory_reserved()
        else:
            with open("/proc/self/status") as f:
                self.allocated = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
            self.reserved = None


class GpuMemory:
    """Peak GPU memory of one child process, from nvidia-smi: its own entry, else the GPU's used memory minus the
    memory used before it started (a process in another PID namespace is listed under a PID we do not know)."""

    def __init__(self):
        # nvidia-smi -i: the device's UUID or PCI address (its index may differ under CUDA_VISIBLE_DEVICES).
        props = torch.cuda.get_device_properties(DEVICE)
        names = [f"GPU-{props.uuid}", f"{props.pci_domain_id:08X}:{props.pci_bus_id:02X}:{props.pci_device_id:02X}.0",
                 str(DEVICE.index)]
        self.gpu = next((n for n in names if self.used(n) is not None), names[-1])
        self.before = self.used() or 0
        self.own = self.total = 0

    def query(self, what, gpu=None):
        try:
            out = subprocess.run(["nvidia-smi", f"--query-{what}", "-i", gpu or self.gpu,
                                  "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return []
        return [[field.strip() for field in line.split(",")] for line in out.splitlines() if line.strip()]

    def used(self, gpu=None):
        """MiB used on the GPU, None when nvidia-smi does not answer for it."""
        rows = self.query("gpu=memory.used", gpu)
        return int(rows[0][0]) if rows and rows[0][0].isdigit() else None

    def sample(self, pid):
        for row in self.query("compute-apps=pid,used_memory"):
            if row[0] == str(pid) and row[1].isdigit():
                self.own = max(self.own, int(row[1]))
        self.total = max(self.total, (self.used() or 0) - self.before)

    def peak(self):
        if self.own:
            return self.own << 20, "nvidia-smi, the process"
        return (self.total << 20, "nvidia-smi, GPU used - before") if self.total else (None, "nvidia-smi unavailable")


def run_ttrl(*cmd, stop_when=None):
    """Runs ttrl; returns (seconds, output, peak memory bytes, how it was measured). stop_when: polled while it runs;
    once it returns true the process is killed (SIGKILL) and that is not an error."""
    if CUDA:
        torch.cuda.empty_cache()  # this process's cached blocks, out of ttrl's way
    gpu = GpuMemory() if CUDA and shutil.which("nvidia-smi") else None
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        proc = subprocess.Popen([args.ttrl, *map(str, cmd)], stdout=log, stderr=subprocess.STDOUT, text=True)
        stopped = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if gpu:
                gpu.sample(proc.pid)
            if stop_when and not stopped and stop_when():
                proc.kill()
                stopped = True
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    if proc.returncode != 0 and not stopped:
        raise RuntimeError(f"ttrl {cmd[0]} failed (exit {proc.returncode}):\n{output[-3000:]}")
    peak, how = gpu.peak() if gpu else (usage.ru_maxrss * 1024, "peak RSS, ru_maxrss")
    return seconds, output, peak, how


def sampling_time(output):
    """(tokens, seconds) of ttrl generate's own log line "generated ... : T tokens in S s", or None."""
    m = re.search(r"generated \d+ samples for \d+ prompts: (\d+) tokens in ([0-9.]+) s", output)
    return (int(m.group(1)), float(m.group(2))) if m else None


UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def reported_peak(output):
    """Bytes of ttrl generate's own "peak memory X UNIT" (its allocator's peak on CUDA), or None."""
    m = re.search(r"peak memory ([0-9.]+) (B|KiB|MiB|GiB|TiB)", output)
    return int(float(m.group(1)) * UNITS[m.group(2)]) if m else None


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def gib(n):
    return "-" if n is None else f"{n / GiB:.2f} GiB"


def gb(n):
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.2f} MB"


def make_checkpoint(directory):
    """The random checkpoint (model on DEVICE, eval mode) and its EOS ids."""
    torch.manual_seed(0)
    config = transformers.Qwen2Config(**SHAPES[SIZE], tie_word_embeddings=True, rope_theta=1e6)
    with torch.device(DEVICE):  # built and initialised where it runs (on the CPU, 1.5B draws take ~20 s)
        model = transformers.AutoModelForCausalLM.from_config(config, dtype=DTYPE).eval()
    model.save_pretrained(directory)
    vocab = config.vocab_size
    count = max(1, round(STOP_RATE * vocab))
    eos = sorted(torch.randperm(vocab, generator=torch.Generator().manual_seed(1))[:count].tolist())
    transformers.GenerationConfig(eos_token_id=eos, pad_token_id=eos[0]).save_pretrained(directory)
    return model, eos


def part_decode(ckpt, model):
    """(ii) batch-1 decode against the copy-bandwidth roofline."""
    prompt = os.path.join(os.path.dirname(ckpt), "decode.jsonl")
    write_jsonl(prompt, [{"prompt_ids": list(range(1, 17))}])
    seconds, output, _, _ = run_ttrl("generate", "--model", ckpt, "--input", prompt, "--output", prompt + ".out",
                                     "--n", 1, "--ignore-eos", "--max-new-tokens", W["decode"], "--temperature", 1,
                                     "--dtype", DTYPE_NAME, "--device", args.device)
    tokens, sampling_s = sampling_time(output) or (W["decode"], seconds)
    size, repeats = (GiB, 50) if CUDA else (256 << 20, 5)
    src = torch.empty(size, dtype=torch.uint8, device=DEVICE)
    dst = torch.empty_like(src)
    for _ in range(3):
        dst.copy_(src)
    sync()
    start = time.perf_counter()
    for _ in range(repeats):
        dst.copy_(src)
    sync()
    bandwidth = 2 * size * repeats / (time.perf_counter() - start)
    del src, dst
    weight_bytes = sum(t.numel() * t.element_size() for t in model.parameters())
    rate = tokens / sampling_s
    return {"tokens": tokens, "seconds": sampling_s, "tokens_per_s": rate, "copy_bandwidth_bytes_per_s": bandwidth,
            "weight_bytes": weight_bytes, "roofline_tokens_per_s": bandwidth / weight_bytes,
            "fraction_of_roofline": rate * weight_bytes / bandwidth}


def part_sampling(ckpt, model, eos):
    """(i) ttrl generate against transformers generate(), and (iv) their peak memory."""
    g = torch.Generator().manual_seed(2)
    allowed = torch.ones(model.config.vocab_size, dtype=torch.bool)
    allowed[eos] = False
    pool = allowed.nonzero().view(-1)
    prompts = pool[torch.randint(len(pool), (W["prompts"], W["prompt_len"]), generator=g)]
    inputs = os.path.join(os.path.dirname(ckpt), "prompts.jsonl")
    write_jsonl(inputs, [{"prompt_ids": row} for row in prompts.tolist()])
    seconds, output, peak, how = run_ttrl(
        "generate", "--model", ckpt, "--input", inputs, "--output", inputs + ".out", "--n", W["n"],
        "--max-new-tokens", W["max_new"], "--temperature", 1, "--seed", 0, "--dtype", DTYPE_NAME,
        "--device", args.device, "--max-batch", W["prompts"] * W["n"])
    rows = read_jsonl(inputs + ".out")
    tokens = sum(len(r["completion_ids"]) for r in rows)
    stops = sum(r["finish_reason"] == "stop" for r in rows)
    _, sampling_s = sampling_time(output) or (tokens, seconds)
    process_peak = peak
    if CUDA and reported_peak(output):  # like with like: allocator peaks on both sides, nvidia-smi's kept beside
        peak, how = reported_peak(output), "ttrl's allocator peak, from its log"

    gen = transformers.GenerationConfig(do_sample=True, temperature=1.0, top_p=1.0, top_k=0,
                                        max_new_tokens=W["max_new"], num_return_sequences=W["n"], eos_token_id=eos,
                                        pad_token_id=eos[0])
    ids = prompts.to(DEVICE)
    with Peak() as hf_peak, torch.no_grad():
        start = time.perf_counter()
        out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=gen)
        sync()
        hf_seconds = time.perf_counter() - start
    completions = out[:, W["prompt_len"]:].cpu()
    is_eos = torch.isin(completions, torch.tensor(eos))
    stopped = is_eos.any(1)
    hf_tokens = int(torch.where(stopped, is_eos.int().argmax(1) + 1, completions.shape[1]).sum())
    del out
    return {"ttrl": {"completion_tokens": tokens, "sampling_seconds": sampling_s, "process_seconds": seconds,
                     "tokens_per_s": tokens / sampling_s, "process_tokens_per_s": tokens / seconds,
                     "stop_rate_per_token": stops / max(1, tokens), "peak_memory_bytes": peak, "peak_memory_how": how,
                     "process_peak_memory_bytes": process_peak},
            "transformers": {"completion_tokens": hf_tokens, "seconds": hf_seconds,
                             "tokens_per_s": hf_tokens / hf_seconds,
                             "stop_rate_per_token": int(stopped.sum()) / max(1, hf_tokens),
                             "peak_memory_allocated_bytes": hf_peak.allocated,
                             "peak_memory_reserved_bytes": hf_peak.reserved},
            "ratio": (tokens / sampling_s) / (hf_tokens / hf_seconds)}


def torch_update(model, masters, optimizer, batch, prompt_len):
    """One GRPO update in PyTorch eager: micro-batches of right-padded rollouts, token-mean clipped PPO loss over the
    whole batch, bf16 gradients into the float32 masters, grad-norm clip, AdamW, masters copied back. Returns the
    mean entropy of the rollouts' tokens before the step (ttrl logs the same as actor/entropy)."""
    params = list(model.parameters())
    total_tokens = sum(len(s["completion_ids"]) for s in batch)
    entropy_sum = 0.0
    for first in range(0, len(batch), W["micro_batch"]):
        part = batch[first:first + W["micro_batch"]]
        longest = max(len(s["completion_ids"]) for s in part)
        ids = torch.zeros(len(part), prompt_len + longest, dtype=torch.long)
        old = torch.zeros(len(part), longest)
        mask = torch.zeros(len(part), longest)
        for b, s in enumerate(part):
            c = len(s["completion_ids"])
            ids[b, :prompt_len + c] = torch.tensor(s["prompt_ids"] + s["completion_ids"])
            old[b, :c], mask[b, :c] = torch.tensor(s["logprobs"]), 1.0
        ids, old, mask = ids.to(DEVICE), old.to(DEVICE), mask.to(DEVICE)
        advantages = torch.tensor([s["advantage"] for s in part], device=DEVICE).unsqueeze(1)
        logits = model(input_ids=ids[:, :-1]).logits[:, prompt_len - 1:].float()
        logp = torch.log_softmax(logits, -1)
        with torch.no_grad():
            entropy_sum += (-(logp.exp() * logp).sum(-1) * mask).sum().item()
        ratio = torch.exp(logp.gather(-1, ids[:, prompt_len:].unsqueeze(-1)).squeeze(-1) - old)
        loss = torch.maximum(-advantages * ratio, -advantages * ratio.clamp(1 - CLIP, 1 + CLIP))
        ((loss * mask).sum() / total_tokens).backward()
        del logits, logp, ratio, loss
    for master, param in zip(masters, params):
        master.grad = param.grad.float()
        param.grad = None
    torch.nn.utils.clip_grad_norm_(masters, 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    with torch.no_grad():
        for master, param in zip(masters, params):
            param.copy_(master)
    return entropy_sum / total_tokens


def part_update(ckpt, model):
    """(iii) one GRPO update of ttrl train against PyTorch eager on the same rollouts, and (iv) their peak memory."""
    tmp = os.path.dirname(ckpt)
    # The checkpoint without EOS ids: rollouts run to the cap unless they sample one of the byte tokenizer's two.
    noeos = os.path.join(tmp, "noeos")
    os.makedirs(noeos)
    for name in os.listdir(ckpt):
        if ".safetensors" in name:
            os.symlink(os.path.join(ckpt, name), os.path.join(noeos, name))
    with open(os.path.join(ckpt, "config.json")) as f:
        config = {k: v for k, v in json.load(f).items() if k != "eos_token_id"}
    with open(os.path.join(noeos, "config.json"), "w") as f:
        json.dump(config, f)
    write_jsonl(os.path.join(tmp, "question.jsonl"), [{"prompt": QUESTION, "answer": "400"}])
    out = os.path.join(tmp, "train")
    run = {"model": {"path": noeos, "device": args.device, "dtype": DTYPE_NAME},
           "tokenizer": {"path": "byte", "chat_template": "plain"},
           "data": {"train_files": [os.path.join(tmp, "question.jsonl")]},
           "rollout": {"n_vote": W["rollouts"], "n_train": W["rollouts"], "temperature": 1.0,
                       "max_new_tokens": W["response"], "max_batch_sequences": W["rollouts"]},
           "reward": {"name": "majority_vote", "task": "last_number"},
           "algorithm": {"kl_coef": 0.0, "micro_batch_size": W["micro_batch"], "clip_ratio_low": CLIP,
                         "clip_ratio_high": CLIP},
           "trainer": {"output_dir": out, "total_steps": 1, "prompts_per_step": 1, "lr": LR, "warmup_ratio": 0.0,
                       "grad_clip": 1.0, "save_rollouts": True},
           "logging": {"progress_bar": False, "tensorboard": False}}
    config_path = os.path.join(tmp, "run.yaml")
    with open(config_path, "w") as f:
        json.dump(run, f, indent=1)  # JSON is YAML
    metrics_path = os.path.join(out, "metrics.jsonl")

    def step_metrics():
        try:
            return next((m for m in read_jsonl(metrics_path) if m.get("step") == 1), None)
        except (OSError, ValueError):  # not written yet, or half a line
            return None

    seconds, _, peak, how = run_ttrl("train", "-c", config_path, stop_when=step_metrics)
    metrics = step_metrics()
    if metrics is None:
        raise RuntimeError("ttrl train wrote no metrics for step 1")
    rollouts = read_jsonl(os.path.join(out, "rollouts", "step-1.jsonl"))[0]["rollouts"]
    process_peak = peak
    if CUDA and metrics.get("memory/peak_gib"):  # the allocator's peak, as torch.cuda.max_memory_allocated is
        peak, how = int(metrics["memory/peak_gib"] * 2**30), "ttrl's allocator peak, memory/peak_gib"

    prompt_ids = list(QUESTION.encode())  # the byte tokenizer's ids, the same length as ttrl's prompt
    g = torch.Generator().manual_seed(3)
    batch = [{"prompt_ids": prompt_ids, "completion_ids": r["completion_ids"], "logprobs": r["logprobs"],
              "advantage": torch.randn(1, generator=g).item()} for r in rollouts if r["completion_ids"]]
    model.train()
    masters = [t.detach().float().clone().requires_grad_(True) for t in model.parameters()]
    optimizer = torch.optim.AdamW(masters, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    with Peak() as torch_peak:
        start = time.perf_counter()
        entropy = torch_update(model, masters, optimizer, batch, len(prompt_ids))
        sync()
        torch_seconds = time.perf_counter() - start
    model.eval()
    tokens = sum(len(s["completion_ids"]) for s in batch)
    return {"rollouts": len(batch), "response_tokens": tokens, "mean_length": tokens / max(1, len(batch)),
            "ttrl": {"update_seconds": metrics["timing/update_s"], "sampling_seconds": metrics["timing/generate_s"],
                     "process_seconds": seconds, "mean_entropy": metrics["actor/entropy"], "peak_memory_bytes": peak,
                     "peak_memory_how": how, "process_peak_memory_bytes": process_peak},
            "torch": {"update_seconds": torch_seconds, "mean_entropy": entropy,
                      "peak_memory_allocated_bytes": torch_peak.allocated,
                      "peak_memory_reserved_bytes": torch_peak.reserved},
            "ratio": torch_seconds / metrics["timing/update_s"]}


def table(results):
    """The readable table (markdown) of whatever parts finished."""
    parts, w = results["parts"], results["workload"]
    rows = ["| part | ttrl | reference | ratio |", "|---|---|---|---|"]
    if "sampling" in parts:
        s = parts["sampling"]
        rows.append(f"| (i) sampling, {w['prompts']} prompts x {w['n']} samples, <= {w['max_new']} tokens | "
                    f"{s['ttrl']['tokens_per_s']:.0f} tok/s (whole process {s['ttrl']['process_tokens_per_s']:.0f}) | "
                    f"transformers generate() {s['transformers']['tokens_per_s']:.0f} tok/s | {s['ratio']:.2f}x |")
        rows.append(f"| (i) stop rate per token (EOS list of {results['eos_ids']} ids) | "
                    f"{100 * s['ttrl']['stop_rate_per_token']:.3f}% | "
                    f"{100 * s['transformers']['stop_rate_per_token']:.3f}% | |")
    if "decode" in parts:
        d = parts["decode"]
        rows.append(f"| (ii) batch-1 decode, {d['tokens']} tokens | {d['tokens_per_s']:.1f} tok/s | roofline "
                    f"{d['roofline_tokens_per_s']:.0f} tok/s (copy {d['copy_bandwidth_bytes_per_s'] / 1e9:.0f} GB/s / "
                    f"{gb(d['weight_bytes'])} of weights) | {100 * d['fraction_of_roofline']:.1f}% of roofline |")
    if "update" in parts:
        u = parts["update"]
        rows.append(f"| (iii) one GRPO update, {u['rollouts']} rollouts x {u['mean_length']:.0f} tokens (mean) | "
                    f"{u['ttrl']['update_seconds']:.2f} s | PyTorch eager {u['torch']['update_seconds']:.2f} s | "
                    f"{u['ratio']:.2f}x |")
        rows.append(f"| (iii) mean token entropy before the step (same rollouts) | {u['ttrl']['mean_entropy']:.4f} | "
                    f"{u['torch']['mean_entropy']:.4f} | |")
    for key, name, ref, ref_name in (("sampling", "sampling", "transformers", "transformers"),
                                     ("update", "GRPO update", "torch", "PyTorch")):
        if key in parts:
            ours, theirs = parts[key]["ttrl"], parts[key][ref]
            reserved = theirs["peak_memory_reserved_bytes"]
            rows.append(f"| (iv) peak memory, {name} | {gib(ours['peak_memory_bytes'])} ({ours['peak_memory_how']}) | "
                        f"{ref_name} {gib(theirs['peak_memory_allocated_bytes'])}"
                        + (f" allocated, {gib(reserved)} reserved" if reserved is not None else " (peak RSS, VmHWM)")
                        + " | |")
    return "\n".join(rows)


def main():
    name = (torch.cuda.get_device_name(DEVICE) if CUDA
            else f"cpu ({platform.processor() or platform.machine()}, {os.cpu_count()} cores)")
    results = {"device": name, "torch": torch.__version__, "transformers": transformers.__version__, "size": SIZE,
               "dtype": DTYPE_NAME, "model": SHAPES[SIZE], "workload": W, "parts": {}, "errors": {}}

    def save():
        results["table_md"] = table(results)
        if args.out:
            with open(args.out, "w") as f:
                json.dump(results, f, indent=1)

    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, "model")
        start = time.perf_counter()
        model, eos = make_checkpoint(ckpt)
        results["eos_ids"] = len(eos)
        results["parameters"] = sum(t.numel() for t in model.parameters())
        print(f"{name}, torch {torch.__version__}, transformers {transformers.__version__}; checkpoint "
              f"({results['parameters'] / 1e6:.1f}M parameters, {DTYPE_NAME}, {len(eos)} EOS ids) written in "
              f"{time.perf_counter() - start:.1f} s", flush=True)
        for part, run in (("decode", lambda: part_decode(ckpt, model)),
                          ("sampling", lambda: part_sampling(ckpt, model, eos)),
                          ("update", lambda: part_update(ckpt, model))):
            start = time.perf_counter()
            try:
                results["parts"][part] = run()
            except Exception as error:  # record it, run the other parts
                traceback.print_exc()
                results["errors"][part] = str(error).splitlines()[0] if str(error) else type(error).__name__
            print(f"{part}: {'done' if part in results['parts'] else 'FAILED'} in {time.perf_counter() - start:.1f} s",
                  flush=True)
            save()
    print(results["table_md"])
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
