"""End-to-end checks of `ttrl train` on configs/smoke.yaml (tiny random model, byte tokenizer, CPU):
  1. a run writes metrics.jsonl (one line per step, the documented keys), TensorBoard events, the resolved config and
     checkpoints step-N/ that transformers loads and that give the same logits as ttrl's own forward (`ttrl score`);
  2. kill -9 in the middle of a run, then --resume: the final weights are byte-identical to an uninterrupted run;
  3. a run from weights holding NaN stops after trainer.max_bad_steps bad updates with a checkpoint and an error;
  4. bfloat16 training keeps float32 master weights in its checkpoints, so a resumed bf16 run also ends with
     byte-identical weights (resuming from the rounded bf16 weights alone would not).
"""
import json, os, shutil, signal, subprocess, sys, tempfile, time

ttrl, source_dir = sys.argv[1], sys.argv[2]
try:
    import torch
    import transformers
except ImportError as e:
    print(f"skip: {e}"); sys.exit(77)

smoke = os.path.join(source_dir, "configs", "smoke.yaml")
env = dict(os.environ, OMP_NUM_THREADS="2")

def train(out, *extra, check=True, popen=False):
    cmd = [ttrl, "--log-level", "warn", "train", "-c", smoke, "--set", f"trainer.output_dir={out}",
           "--set", f"data.train_files=[{os.path.join(source_dir, 'configs/data/smoke.jsonl')}]", *extra]
    if popen:
        return subprocess.Popen(cmd, env=env, cwd=source_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return subprocess.run(cmd, env=env, cwd=source_dir, check=check, capture_output=True, text=True)

def weights(ckpt):
    with open(os.path.join(ckpt, "model.safetensors"), "rb") as f:
        return f.read()

tmp = tempfile.mkdtemp()
try:
    # 1. outputs of a plain run
    run = os.path.join(tmp, "run")
    smoke_data = os.path.join(source_dir, "configs/data/smoke.jsonl")
    train(run, "--set", "trainer.eval_every=2", "--set", f"eval.files=[{smoke_data}]", "--set", "eval.k=2",
          "--set", "eval.max_new_tokens=8", "--set", "eval.task=last_number")
    lines = [json.loads(l) for l in open(os.path.join(run, "metrics.jsonl"))]
    assert [l["step"] for l in lines if l["step"] > 0] == [1, 2, 3], lines
    evaluated = [l["step"] for l in lines if "eval/smoke/avg@2" in l]
    assert 2 in evaluated and 3 in evaluated, f"periodic evaluation missing: {evaluated}"
    for key in ["reward/mean", "reward/std", "entropy/mean", "response_length/mean", "response_length/clip_ratio",
                "actor/pg_loss", "actor/kl_loss", "actor/grad_norm", "actor/lr", "actor/clip_fraction",
                "ttrl/majority_ratio", "ttrl/label_accuracy", "timing/generate_s", "throughput/generate_tokens_per_s",
                "memory/peak_gib"]:
        assert key in lines[-1], f"metrics.jsonl lacks {key}: {sorted(lines[-1])}"
    assert 0.05 < lines[-1]["memory/peak_gib"] < 8, f"implausible peak memory {lines[-1]['memory/peak_gib']} GiB"
    assert any(f.startswith("events.out.tfevents") for f in os.listdir(os.path.join(run, "tensorboard"))), os.listdir(run)
    assert os.path.exists(os.path.join(run, "config.resolved.yaml"))
    ckpts = sorted(os.listdir(os.path.join(run, "checkpoints")))
    assert ckpts == ["step-2", "step-3"], ckpts
    final = os.path.join(run, "checkpoints", "step-3")
    for f in ["config.json", "model.safetensors", "optimizer.pt", "trainer_state.json", "config.resolved.yaml"]:
        assert os.path.exists(os.path.join(final, f)), f
    hf = transformers.AutoModelForCausalLM.from_pretrained(final, dtype=torch.float32).eval()
    ids = [72, 101, 108, 108, 111, 32, 50, 43, 51]
    with open(os.path.join(tmp, "score.jsonl"), "w") as f:
        f.write(json.dumps({"prompt_ids": ids[:3], "completion_ids": ids[3:]}) + "\n")
    scored = subprocess.run([ttrl, "--log-level", "warn", "score", "--model", final, "--input", os.path.join(tmp, "score.jsonl")],
                            check=True, capture_output=True, text=True, env=env).stdout
    ours = torch.tensor(json.loads(scored.splitlines()[0])["logprobs"])
    with torch.no_grad():
        logp = torch.log_softmax(hf(torch.tensor([ids])).logits[0].float(), -1)
    want = torch.stack([logp[2 + t, ids[3 + t]] for t in range(len(ids) - 3)])
    diff = (ours - want).abs().max().item()
    print(f"checkpoint loads in transformers; log-prob difference vs ttrl score {diff:.2e}")
    assert diff < 1e-4

    # 2. kill -9 mid-run, resume, compare with an uninterrupted run of the same length
    steps = ["--set", "trainer.total_steps=6", "--set", "trainer.save_every=2"]
    full = os.path.join(tmp, "full")
    train(full, *steps)
    killed = os.path.join(tmp, "killed")
    proc = train(killed, *steps, popen=True)
    deadline = time.time() + 300
    while not os.path.exists(os.path.join(killed, "checkpoints", "step-2")) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        print("killed the run after its step-2 checkpoint")
    else:
        # It finished before the kill: drop the later checkpoints, as if it had died after step 2.
        for c in os.listdir(os.path.join(killed, "checkpoints")):
            if c != "step-2":
                shutil.rmtree(os.path.join(killed, "checkpoints", c))
        print("run finished before the kill; resuming from step-2 alone")
    train(killed, *steps, "--resume")
    a, b = weights(os.path.join(full, "checkpoints", "step-6")), weights(os.path.join(killed, "checkpoints", "step-6"))
    assert a == b, "resumed run's final weights differ from the uninterrupted run"
    resumed_steps = [json.loads(l)["step"] for l in open(os.path.join(killed, "metrics.jsonl"))]
    assert resumed_steps == sorted(set(resumed_steps)) and resumed_steps[-1] == 6, resumed_steps
    print("kill -9 + --resume: final weights byte-identical to the uninterrupted run")

    # 3. NaN guard: a checkpoint whose embedding holds NaN makes every update non-finite
    from safetensors.torch import load_file, save_file
    poisoned = os.path.join(tmp, "poisoned")
    shutil.copytree(final, poisoned)
    tensors = load_file(os.path.join(poisoned, "model.safetensors"))
    tensors["model.embed_tokens.weight"][5:200] = float("nan")
    save_file(tensors, os.path.join(poisoned, "model.safetensors"), metadata={"format": "pt"})
    bad = os.path.join(tmp, "bad")
    r = train(bad, "--set", f"model.path={poisoned}", "--set", "model.random_init=false", "--set", "tokenizer.path=byte",
              "--set", "trainer.total_steps=8", "--set", "trainer.max_bad_steps=2", check=False)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "consecutive updates had a non-finite loss or gradient" in out, out
    assert os.listdir(os.path.join(bad, "checkpoints")), "no checkpoint written when stopping"
    print("NaN guard: stopped with a checkpoint after 2 bad updates")

    # 4. bf16 with float32 master weights: resume from step-2 equals the uninterrupted run
    bf16 = ["--set", "model.dtype=bfloat16", *steps]
    full_bf16, resumed_bf16 = os.path.join(tmp, "full_bf16"), os.path.join(tmp, "resumed_bf16")
    train(full_bf16, *bf16)
    assert os.path.exists(os.path.join(full_bf16, "checkpoints", "step-2", "master_weights.pt"))
    shutil.copytree(os.path.join(full_bf16, "checkpoints", "step-2"), os.path.join(resumed_bf16, "checkpoints", "step-2"))
    train(resumed_bf16, *bf16, "--resume")
    a = weights(os.path.join(full_bf16, "checkpoints", "step-6"))
    assert a == weights(os.path.join(resumed_bf16, "checkpoints", "step-6")), "resumed bf16 run differs"
    start = load_file(os.path.join(full_bf16, "checkpoints", "step-2", "model.safetensors"))
    end = load_file(os.path.join(full_bf16, "checkpoints", "step-6", "model.safetensors"))
    assert all(t.dtype == torch.bfloat16 for t in end.values())
    assert any(not torch.equal(start[k], end[k]) for k in start), "bf16 weights did not change"
    os.remove(os.path.join(resumed_bf16, "checkpoints", "step-6", "master_weights.pt"))
    r = train(os.path.join(tmp, "resumed_bf16"), *bf16, "--resume", check=False)
    assert r.returncode != 0 and "master_weights.pt" in r.stdout + r.stderr, r.stdout + r.stderr
    print("bf16 + fp32 master weights: resume byte-identical; a checkpoint without its masters is refused by name")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print("ok")
