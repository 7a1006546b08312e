"""One optimizer trajectory of ttrl (AdamW + warmup/cosine + grad clipping) against torch.optim.AdamW with the same
schedule written as LambdaLR (verl's get_cosine_schedule_with_warmup) and torch.nn.utils.clip_grad_norm_.

Run twice: float32 parameters, and bfloat16 parameters with float32 master weights, against PyTorch's usual
mixed-precision recipe (AdamW on float32 copies fed float32(bf16 grad), weights rounded back to bfloat16)."""
import json, math, os, subprocess, sys, tempfile

try:
    import numpy as np
    import torch
except ImportError:
    print("skip: torch is not importable"); sys.exit(77)

tool = sys.argv[1]
SHAPES = [[7, 5], [5], [3, 4, 2]]


def lr_lambda(meta):
    warm = int(meta["warmup_ratio"] * meta["steps"])
    def lam(step):
        if step < warm:
            return step / max(1, warm)
        progress = (step - warm) / max(1, meta["steps"] - warm)
        return meta["min_lr_ratio"] + (1 - meta["min_lr_ratio"]) * 0.5 * (1 + math.cos(math.pi * progress))
    return lam


def run_ttrl(meta, params, grads):
    with tempfile.TemporaryDirectory() as d:
        json.dump(meta, open(os.path.join(d, "meta.json"), "w"))
        for i, p in enumerate(params):
            p.numpy().astype("float32").tofile(os.path.join(d, f"param{i}.bin"))
        for step, gs in enumerate(grads):
            for i, g in enumerate(gs):
                g.numpy().astype("float32").tofile(os.path.join(d, f"grad{step}_{i}.bin"))
        info = json.loads(subprocess.run([tool, d], check=True, capture_output=True, text=True).stdout)
        load = lambda name, i, s: torch.from_numpy(np.fromfile(os.path.join(d, f"{name}{i}.bin"), dtype="float32")).reshape(s)
        return info, [load("out", i, s) for i, s in enumerate(SHAPES)], [load("master", i, s) for i, s in enumerate(SHAPES)]


def run_torch(meta, params, grads, dtype, master_weights):
    """Returns (lrs, parameters, float32 masters) of PyTorch's reference."""
    model = [p.to(dtype) for p in params]
    master = [p.float().clone().requires_grad_(True) for p in model] if master_weights else \
             [p.clone().requires_grad_(True) for p in model]
    opt = torch.optim.AdamW(master, lr=meta["lr"], betas=(meta["beta1"], meta["beta2"]), eps=meta["eps"],
                            weight_decay=meta["weight_decay"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(meta))
    lrs = []
    for gs in grads:
        for m, g in zip(master, gs):
            m.grad = g.to(dtype).to(m.dtype)
        norm = torch.nn.utils.clip_grad_norm_(master, meta["grad_clip"])
        if not torch.isfinite(norm):
            opt.zero_grad(); lrs.append(None); continue
        lrs.append(opt.param_groups[0]["lr"])
        opt.step(); sched.step(); opt.zero_grad()
    return lrs, [m.detach().to(dtype).float() for m in master], [m.detach().float() for m in master]


def relative(a, b):
    return max(((x - y).abs().max() / y.abs().max()).item() for x, y in zip(a, b))


torch.manual_seed(0)
base = dict(shapes=SHAPES, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1, grad_clip=1.0,
            lr=1e-2, steps=12, warmup_ratio=0.25, min_lr_ratio=0.1)
params = [torch.randn(s) for s in SHAPES]
grads = [[torch.randn(s) * (3.0 if step % 4 == 0 else 0.2) for s in SHAPES] for step in range(base["steps"])]
grads[5][1][2] = float("nan")  # a non-finite step: both sides must skip it without touching state or schedule

# 1. float32 parameters.
info, ours, _ = run_ttrl(base, params, grads)
ref_lrs, ref, _ = run_torch(base, params, grads, torch.float32, master_weights=False)
worst = relative(ours, ref)
lr_err = max(abs(o["lr"] - r) for o, r in zip(info, ref_lrs) if r is not None)
print(f"AdamW+schedule parity over {base['steps']} steps: max relative param error {worst:.2e}, max lr error {lr_err:.2e}")
assert lr_err < 1e-12, "learning rates differ"
assert worst < 1e-6, "parameters differ from torch.optim.AdamW"
assert info[5]["grad_norm"] is None or not math.isfinite(info[5]["grad_norm"]), "the NaN step was not reported as non-finite"

# 2. bfloat16 parameters with float32 masters. The lr makes each update smaller than half a bf16 ulp of most
# weights, so only master weights accumulate them: plain bf16 AdamW would leave those weights where they started.
meta = dict(base, dtype="bfloat16", lr=1e-3)
info, ours, ours_master = run_ttrl(meta, params, grads)
_, ref, ref_master = run_torch(meta, params, grads, torch.bfloat16, master_weights=True)
_, plain_bf16, _ = run_torch(meta, params, grads, torch.bfloat16, master_weights=False)
start = [p.to(torch.bfloat16).float() for p in params]
moved = sum(int((o != s).sum()) for o, s in zip(ours, start))
moved_plain = sum(int((o != s).sum()) for o, s in zip(plain_bf16, start))
total = sum(p.numel() for p in params)
master_err = relative(ours_master, ref_master)
rounded_equal = all(torch.equal(o, m.to(torch.bfloat16).float()) for o, m in zip(ours, ours_master))
param_mismatch = sum(int((o != r).sum()) for o, r in zip(ours, ref))
print(f"bf16 + fp32 masters: master relative error {master_err:.2e}, bf16 weights differing from PyTorch's "
      f"{param_mismatch}/{total}; weights moved {moved}/{total} (plain bf16 AdamW: {moved_plain}/{total})")
assert master_err < 1e-6, "float32 master weights differ from PyTorch's mixed-precision AdamW"
assert rounded_equal, "bf16 weights are not the rounded master weights"
assert param_mismatch == 0, "bf16 weights differ from PyTorch's"
assert moved > 2 * moved_plain, "master weights did not keep updates that bf16 alone loses"

# 3. Switched off, bf16 parameters are updated in place like PyTorch's plain bf16 AdamW.
info, ours_plain, _ = run_ttrl(dict(meta, fp32_master_weights=False), params, grads)
plain_err = relative(ours_plain, plain_bf16)
print(f"bf16 without masters vs PyTorch bf16 AdamW: max relative error {plain_err:.2e}")
assert plain_err < 2e-2, "plain bf16 AdamW differs from PyTorch's"
print("ok")
