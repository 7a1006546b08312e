"""One optimizer trajectory of ttrl (AdamW + warmup/cosine + grad clipping) against torch.optim.AdamW with the same
schedule written as LambdaLR (verl's get_cosine_schedule_with_warmup) and torch.nn.utils.clip_grad_norm_."""
import json, math, os, subprocess, sys, tempfile

try:
    import torch
except ImportError:
    print("skip: torch is not importable"); sys.exit(77)

tool = sys.argv[1]
torch.manual_seed(0)
shapes = [[7, 5], [5], [3, 4, 2]]
meta = dict(shapes=shapes, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1, grad_clip=1.0,
            lr=1e-2, steps=12, warmup_ratio=0.25, min_lr_ratio=0.1)
params = [torch.randn(s) for s in shapes]
grads = [[torch.randn(s) * (3.0 if step % 4 == 0 else 0.2) for s in shapes] for step in range(meta["steps"])]
grads[5][1][2] = float("nan")  # a non-finite step: both sides must skip it without touching state or schedule

with tempfile.TemporaryDirectory() as d:
    json.dump(meta, open(os.path.join(d, "meta.json"), "w"))
    for i, p in enumerate(params):
        p.numpy().astype("float32").tofile(os.path.join(d, f"param{i}.bin"))
    for step, gs in enumerate(grads):
        for i, g in enumerate(gs):
            g.numpy().astype("float32").tofile(os.path.join(d, f"grad{step}_{i}.bin"))
    info = json.loads(subprocess.run([tool, d], check=True, capture_output=True, text=True).stdout)
    ours = [torch.from_numpy(__import__("numpy").fromfile(os.path.join(d, f"out{i}.bin"), dtype="float32")).reshape(s)
            for i, s in enumerate(shapes)]

ref = [p.clone().requires_grad_(True) for p in params]
opt = torch.optim.AdamW(ref, lr=meta["lr"], betas=(meta["beta1"], meta["beta2"]), eps=meta["eps"],
                        weight_decay=meta["weight_decay"])
warm = int(meta["warmup_ratio"] * meta["steps"])
def lam(step):
    if step < warm:
        return step / max(1, warm)
    progress = (step - warm) / max(1, meta["steps"] - warm)
    return meta["min_lr_ratio"] + (1 - meta["min_lr_ratio"]) * 0.5 * (1 + math.cos(math.pi * progress))
sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
ref_lrs = []
for step, gs in enumerate(grads):
    for p, g in zip(ref, gs):
        p.grad = g.clone()
    norm = torch.nn.utils.clip_grad_norm_(ref, meta["grad_clip"])
    if not torch.isfinite(norm):
        opt.zero_grad(); ref_lrs.append(None); continue
    ref_lrs.append(opt.param_groups[0]["lr"])
    opt.step(); sched.step(); opt.zero_grad()

worst = max(((a - b.detach()).abs().max() / b.detach().abs().max()).item() for a, b in zip(ours, ref))
lr_err = max(abs(o["lr"] - r) for o, r in zip(info, ref_lrs) if r is not None)
print(f"AdamW+schedule parity over {meta['steps']} steps: max relative param error {worst:.2e}, max lr error {lr_err:.2e}")
assert lr_err < 1e-12, "learning rates differ"
assert worst < 1e-6, "parameters differ from torch.optim.AdamW"
assert info[5]["grad_norm"] is None or not math.isfinite(info[5]["grad_norm"]), "the NaN step was not reported as non-finite"
print("ok")
