#!/usr/bin/env python3
"""Bad inputs through the `ttrl` command line, as a user meets them (#14).

Every case runs one command in a fresh copy of a sandbox (a config, data files, a tiny checkpoint made by `ttrl sft`,
a training run with checkpoints made by `ttrl train`, tokenizer files) after damaging one thing, and checks:
  - the exit code is the expected one: for a bad input non-zero and below 128 (an error, not a signal or an abort);
  - the output names what the user must change (a regular expression per case: file, line, key, tensor or flag);
  - no file of the sandbox outside the case's declared outputs was created, changed or removed;
  - the command's peak memory (its own max RSS, from wait4) stays under MEMORY_BOUND_MB.

Usage: bad_inputs.py TTRL_BINARY SOURCE_DIR [SHARED_DIR] [-k SUBSTRING]
Exit code 0 when every case passes; the failures are listed otherwise.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

MEMORY_BOUND_MB = 1500
TIMEOUT_S = 120


# ---------------------------------------------------------------------------------------------------------------------
# The sandbox every case starts from.

SMOKE_CONFIG = """model:
  random_init: true
  device: cpu
  dtype: float32
  random:
    hidden_size: 32
    num_layers: 1
    num_heads: 2
    num_kv_heads: 1
    intermediate_size: 64
    max_position_embeddings: 128
    seed: 1
tokenizer:
  path: byte
  chat_template: plain
data:
  train_files: [data.jsonl]
rollout:
  n_vote: 4
  n_train: 2
  max_new_tokens: 8
reward:
  name: majority_vote
  task: last_number
algorithm:
  micro_batch_size: 2
trainer:
  output_dir: run
  total_steps: 2
  prompts_per_step: 2
  lr: 1.0e-3
  warmup_ratio: 0.0
  save_every: 1
logging:
  progress_bar: false
"""

DATA = "".join(json.dumps({"prompt": f"Compute {a}+{b}. Answer:", "answer": str(a + b),
                           "solution": f"{a}+{b}={a + b}"}) + "\n" for a, b in [(1, 2), (3, 4), (5, 1), (2, 2)])


def run(cmd, cwd):
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    if proc.returncode != 0:
        sys.exit(f"sandbox set-up failed: {' '.join(cmd)}\n{proc.stdout[-3000:]}")


def make_sandbox(ttrl, root, shared):
    with open(os.path.join(root, "smoke.yaml"), "w") as f:
        f.write(SMOKE_CONFIG)
    with open(os.path.join(root, "data.jsonl"), "w") as f:
        f.write(DATA)
    # A tiny Hugging Face-format checkpoint (config.json + model.safetensors), written by ttrl itself.
    run([ttrl, "sft", "-c", "smoke.yaml", "--data", "data.jsonl", "--output", "ckpt", "--steps", "1",
         "--batch-size", "2"], root)
    # A training run with complete checkpoints (step-1, step-2) to resume from.
    run([ttrl, "train", "-c", "smoke.yaml"], root)
    tokenizers = os.path.join(shared, "fixtures", "tokenizers")
    if os.path.isdir(os.path.join(tokenizers, "qwen2.5")):
        shutil.copytree(os.path.join(tokenizers, "qwen2.5"), os.path.join(root, "tok"))
    if os.path.isdir(os.path.join(tokenizers, "sentencepiece-small")):
        os.makedirs(os.path.join(root, "spm"))
        shutil.copy(os.path.join(tokenizers, "sentencepiece-small", "test_model.model"),
                    os.path.join(root, "spm", "tokenizer.model"))
    with open(os.path.join(root, "prompts.jsonl"), "w") as f:
        f.write(json.dumps({"prompt_ids": [10, 20, 30]}) + "\n")
    with open(os.path.join(root, "score.jsonl"), "w") as f:
        f.write(json.dumps({"prompt_ids": [10, 20, 30], "completion_ids": [40, 50]}) + "\n")
    with open(os.path.join(root, "grade.jsonl"), "w") as f:
        f.write(json.dumps({"prediction": "\\boxed{2}", "gold": "2"}) + "\n")
    with open(os.path.join(root, "groups.jsonl"), "w") as f:
        f.write(json.dumps({"rollouts": [{"text": "so 4"}, {"text": "so 4"}, {"text": "so 5"}]}) + "\n")
    with open(os.path.join(root, "texts.jsonl"), "w") as f:
        f.write(json.dumps({"text": "hello"}) + "\n")
    with open(os.path.join(root, "results.json"), "w") as f:
        f.write(json.dumps({"not": "a results file"}) + "\n")
    os.makedirs(os.path.join(root, "foreign"))
    with open(os.path.join(root, "foreign", "thesis.tex"), "w") as f:
        f.write("years of work\n")
    with open(os.path.join(root, "afile"), "w") as f:
        f.write("a user's file\n")


# ---------------------------------------------------------------------------------------------------------------------
# Damage helpers: each takes the case's sandbox directory.

def write(path, content, mode="w"):
    def apply(root):
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full) or root, exist_ok=True)
        with open(full, mode) as f:
            f.write(content)
    return apply


def edit_json(path, change):
    def apply(root):
        full = os.path.join(root, path)
        with open(full) as f:
            document = json.load(f)
        change(document)
        with open(full, "w") as f:
            json.dump(document, f)
    return apply


def set_key(key, value):
    def change(document):
        document[key] = value
    return change


def flip_byte(path, offset_from_end=16):
    def apply(root):
        full = os.path.join(root, path)
        with open(full, "r+b") as f:
            f.seek(-offset_from_end, os.SEEK_END)
            byte = f.read(1)
            f.seek(-offset_from_end, os.SEEK_END)
            f.write(bytes([byte[0] ^ 0x10]))
    return apply


def truncate(path, keep):
    def apply(root):
        with open(os.path.join(root, path), "r+b") as f:
            f.truncate(keep)
    return apply


def safetensors_header(path, change):
    """Rewrites the JSON header of a safetensors file (padding kept to 8 bytes) after change(header)."""
    def apply(root):
        full = os.path.join(root, path)
        with open(full, "rb") as f:
            data = f.read()
        n = struct.unpack("<Q", data[:8])[0]
        header = json.loads(data[8:8 + n])
        body = data[8 + n:]
        change(header)
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        with open(full, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + body)
    return apply


def raw_header_length(path, length):
    def apply(root):
        with open(os.path.join(root, path), "r+b") as f:
            f.write(struct.pack("<Q", length))
    return apply


def rename(old, new):
    def apply(root):
        os.rename(os.path.join(root, old), os.path.join(root, new))
    return apply


def remove(path):
    def apply(root):
        full = os.path.join(root, path)
        shutil.rmtree(full) if os.path.isdir(full) else os.remove(full)
    return apply


def make_dir(path):
    def apply(root):
        os.makedirs(os.path.join(root, path), exist_ok=True)
    return apply


def steps(*actions):
    def apply(root):
        for action in actions:
            action(root)
    return apply


def first_tensor_named(name_part, change):
    def apply_header(header):
        for name, entry in header.items():
            if name != "__metadata__" and name_part in name:
                change(entry)
                return
    return apply_header


# ---------------------------------------------------------------------------------------------------------------------
# The table: (name, damage or None, argv after `ttrl`, pattern, outputs the case may write, expected exit code).
# Exit code None means "an error": non-zero and below 128.

T = "smoke.yaml"
STATE = "run/checkpoints/step-2/trainer_state.json"


def cases():
    c = []

    def case(name, argv, pattern, damage=None, outputs=(), code=None):
        c.append((name, damage, argv, pattern, tuple(outputs), code))

    # The command line itself.
    case("no subcommand", [], r"A subcommand is required")
    case("misspelled subcommand", ["trian", "-c", T], r"unknown subcommand 'trian' \(did you mean 'train'\?\)")
    case("misspelled subcommand 2", ["evl"], r"unknown subcommand 'evl' \(did you mean 'eval'\?\)")
    case("bad log level", ["--log-level", "loud", "config"], r"--log-level: loud not in")
    case("unknown flag", ["config", "--bogus"], r"--bogus")
    case("missing required flag", ["tokenize", "--input", "texts.jsonl"], r"--tokenizer is required")

    # Configuration files and --set.
    case("config missing", ["config", "-c", "nothere.yaml"], r"cannot read 'nothere.yaml'")
    case("config is a directory", ["config", "-c", "foreign"], r"foreign")
    case("malformed yaml", ["config", "-c", "b.yaml"], r"b\.yaml:3:\d+: malformed YAML",
         write("b.yaml", "rollout:\n  n_vote: [1, 2\n"))
    case("unknown key", ["config", "-c", "b.yaml"], r"b\.yaml:2:3: unknown key 'rollout\.n_votes' \(did you mean 'rollout\.n_vote'\?\)",
         write("b.yaml", "rollout:\n  n_votes: 4\n"))
    case("misspelled section", ["config", "-c", "b.yaml"], r"b\.yaml:1:1: unknown key 'rolout' \(did you mean 'rollout'\?\)",
         write("b.yaml", "rolout:\n  n_vote: 4\n"))
    case("duplicate key", ["config", "-c", "b.yaml"], r"b\.yaml:3:3: duplicate key 'rollout\.n_vote' \(first written at b\.yaml:2:3\)",
         write("b.yaml", "rollout:\n  n_vote: 4\n  n_vote: 8\n"))
    case("duplicate section", ["config", "-c", "b.yaml"], r"b\.yaml:3:1: duplicate key 'rollout'",
         write("b.yaml", "rollout:\n  n_vote: 4\nrollout:\n  n_train: 2\n"))
    case("second yaml document", ["config", "-c", "b.yaml"], r"b\.yaml:4:1: a second YAML document",
         write("b.yaml", "rollout:\n  n_vote: 4\n---\nrollout:\n  n_vote: 8\n"))
    case("wrong type", ["config", "-c", "b.yaml"], r"b\.yaml:2:3: trainer\.lr: expected a finite number, got 'fast'",
         write("b.yaml", "trainer:\n  lr: fast\n"))
    case("nan float", ["config", "-c", "b.yaml"], r"b\.yaml:2:3: rollout\.temperature: expected a finite number",
         write("b.yaml", "rollout:\n  temperature: .nan\n"))
    case("inf float", ["config", "-c", "b.yaml"], r"b\.yaml:2:3: rollout\.temperature: expected a finite number",
         write("b.yaml", "rollout:\n  temperature: .inf\n"))
    case("integer overflow", ["config", "-c", "b.yaml"], r"b\.yaml:2:3: rollout\.n_vote",
         write("b.yaml", "rollout:\n  n_vote: 99999999999999999999999\n"))
    case("out of range", ["config", "-c", "b.yaml"], r"rollout\.n_vote = 0 is out of range",
         write("b.yaml", "rollout:\n  n_vote: 0\n"))
    case("section given a scalar", ["config", "-c", "b.yaml"], r"b\.yaml:1:1: 'rollout' is a section",
         write("b.yaml", "rollout: 3\n"))
    case("top level list", ["config", "-c", "b.yaml"], r"b\.yaml:1:1: expected a mapping of sections",
         write("b.yaml", "- rollout\n- model\n"))
    case("invalid utf-8 yaml", ["config", "-c", "b.yaml"], r"b\.yaml:2:\d+: not valid UTF-8",
         write("b.yaml", b"rollout:\n  stop: [\"\xff\xfe\"]\n", "wb"))
    case("unknown reward", ["train", "-c", T, "--set", "reward.name=vote"], r"vote")
    case("n_train above n_vote", ["config", "--set", "rollout.n_vote=4", "--set", "rollout.n_train=8"],
         r"rollout\.n_train = 8 must not exceed rollout\.n_vote = 4")
    case("heads do not divide", ["config", "--set", "model.random.hidden_size=30", "--set", "model.random.num_heads=4"],
         r"model\.random\.hidden_size = 30 must be divisible by model\.random\.num_heads = 4")
    case("plugin key without plugin", ["config", "--set", "reward.alpha2=1"], r"unknown key 'reward\.alpha2'")
    case("set without value", ["config", "--set", "rollout.n_vote"], r"expected KEY=VALUE")
    case("set a section", ["config", "--set", "rollout=3"], r"'rollout' is a section; set one of its keys")
    case("set unknown key", ["config", "--set", "rollout.nvote=3"], r"unknown key 'rollout\.nvote' \(did you mean 'rollout\.n_vote'\?\)")
    case("set malformed value", ["config", "--set", "rollout.stop=[a"], r"--set rollout\.stop=\[a: malformed value")

    # ttrl train: model, data, output directory.
    case("random model beyond memory", ["train", "-c", T, "--set", "model.random.hidden_size=65536",
                                        "--set", "model.random.vocab_size=4194304"],
         r"needs .*(TiB|PiB).* of memory is available \(set by model\.random\)")
    case("random vocab below tokenizer", ["train", "-c", T, "--set", "model.random.vocab_size=100"],
         r"model\.random\.vocab_size = 100 is smaller than the vocabulary of tokenizer 'byte' \(\d+ ids\): set it to at least \d+")
    case("train file missing", ["train", "-c", T, "--set", "data.train_files=[nothere.jsonl]", "--set", "trainer.output_dir=out"],
         r"nothere\.jsonl", outputs=["out"])
    case("train file invalid json", ["train", "-c", T, "--set", "trainer.output_dir=out"], r"data\.jsonl:2:",
         write("data.jsonl", DATA.splitlines()[0] + "\n{\"prompt\": \n"), outputs=["out"])
    case("train prompt invalid utf-8", ["train", "-c", T, "--set", "trainer.output_dir=out"], r"data\.jsonl:1: .*not valid UTF-8",
         write("data.jsonl", b"{\"prompt\": \"caf\xe9 1+1\", \"answer\": \"2\"}\n", "wb"), outputs=["out"])
    case("train prompt empty", ["train", "-c", T, "--set", "trainer.output_dir=out"],
         r"data\.jsonl:2: the prompt field \"prompt\" is empty",
         write("data.jsonl", DATA.splitlines()[0] + "\n{\"prompt\": \"\", \"answer\": \"2\"}\n"), outputs=["out"])
    case("train prompt key missing", ["train", "-c", T, "--set", "data.prompt_key=question", "--set", "trainer.output_dir=out"],
         r"data\.jsonl:1: missing the prompt field \"question\" \(data\.prompt_key\)", outputs=["out"])
    case("train prompt not a string", ["train", "-c", T, "--set", "trainer.output_dir=out"],
         r"data\.jsonl:1: the prompt field \"prompt\" must be a string", write("data.jsonl", "{\"prompt\": 5}\n"), outputs=["out"])
    case("train data empty file", ["train", "-c", T, "--set", "trainer.output_dir=out"], r"data\.jsonl: the file is empty",
         write("data.jsonl", ""), outputs=["out"])
    case("output dir is a file", ["train", "-c", T, "--set", "trainer.output_dir=afile"], r"afile")
    case("output dir foreign", ["train", "-c", T, "--set", "trainer.output_dir=foreign"], r"foreign.*--overwrite")
    case("checkpoints is a file", ["train", "-c", T, "--set", "trainer.output_dir=out"], r"out/checkpoints",
         steps(write("out/.ttrl-output", "{\"kind\": \"train\"}\n"), write("out/checkpoints", "not a directory\n")),
         outputs=["out"])
    case("train tokenizer missing", ["train", "-c", T, "--set", "tokenizer.path=nothere"], r"tokenizer path 'nothere' does not exist")
    case("model path missing", ["train", "-c", T, "--set", "model.path=nothere", "--set", "model.random_init=false"],
         r"nothere")
    case("model dir without config", ["train", "-c", T, "--set", "model.path=foreign", "--set", "model.random_init=false"],
         r"foreign/config\.json")
    case("cuda without cuda", ["train", "-c", T, "--set", "model.device=cuda:3"], r"device cuda:3 requested but")
    case("bad device name", ["train", "-c", T, "--set", "model.device=gpu"], r"gpu")
    case("bad dtype name", ["train", "-c", T, "--set", "model.dtype=float8"], r"float8")
    case("plugin missing", ["train", "-c", T, "--set", "reward.plugin=./nothere.so"], r"nothere\.so")
    case("prompt beyond context", ["train", "-c", T, "--set", "rollout.max_new_tokens=4096", "--set", "trainer.output_dir=out"],
         r"max_new_tokens", outputs=["out"])
    case("max batch far beyond work", ["train", "-c", T, "--set", "rollout.max_batch_sequences=1048576",
                                       "--set", "trainer.output_dir=out", "--set", "trainer.total_steps=1"],
         r"", outputs=["out"], code=0)
    case("max batch beyond the memory budget", ["train", "-c", T, "--set", "rollout.n_vote=256", "--set",
                                                "rollout.max_batch_sequences=512", "--set", "rollout.memory_budget_mb=1",
                                                "--set", "trainer.output_dir=out"],
         r"512 decode rows of .* do not fit in 1\.0 MiB \(the budget rollout\.memory_budget_mb\); at most \d+ rows "
         r"fit\. Lower max_batch_sequences \(rollout\.max_batch_sequences, --max-batch\) from 512", outputs=["out"])

    # ttrl train --resume with a damaged checkpoint (step-2 is the newest; step-1 the way out).
    # Checksums find every change first (field validation without them: tests/train/test_checkpoint_files.cpp).
    resume = ["train", "-c", T, "--resume", "--set", "trainer.total_steps=3"]
    damaged = r"checkpoint 'run/checkpoints/step-2' is damaged: {}.*the previous complete checkpoint is 'run/checkpoints/step-1'"
    case("resume step -3", resume, damaged.format("trainer_state"), edit_json(STATE, set_key("step", -3)))
    case("resume step -1", resume, damaged.format("trainer_state"), edit_json(STATE, set_key("step", -1)))
    case("resume step mismatch", resume, damaged.format("trainer_state"), edit_json(STATE, set_key("step", 1)))
    case("resume huge step", resume, damaged.format("trainer_state"), edit_json(STATE, set_key("step", 99999999999999)))
    case("resume negative optimizer steps", resume, damaged.format("trainer_state"),
         edit_json(STATE, set_key("optimizer_steps", -6)))
    case("resume state not json", resume, damaged.format("trainer_state"), write(STATE, "{ not json"))
    # Without its completion marker step-2 is an interrupted save: resume takes step-1 and writes step-2 again.
    case("resume state missing", resume, r"resumed from run/checkpoints/step-1", remove(STATE), outputs=["run"], code=0)
    case("resume weights bit flip", resume, damaged.format("model\\.safetensors has CRC-32C"),
         flip_byte("run/checkpoints/step-2/model.safetensors"))
    case("resume optimizer truncated", resume, damaged.format("optimizer"),
         lambda root: truncate(os.path.join("run/checkpoints/step-2", next(
             n for n in sorted(os.listdir(os.path.join(root, "run/checkpoints/step-2"))) if n.startswith("optimizer"))), 10)(root))
    case("resume config malformed", resume, damaged.format("config\\.json"), write("run/checkpoints/step-2/config.json", "{"))
    # A name whose number does not fit is no checkpoint of ttrl's (it wrote "internal error: stoll" before).
    case("resume overflowing step dir", resume, r"resumed from run/checkpoints/step-2",
         make_dir("run/checkpoints/step-99999999999999999999999"), outputs=["run"], code=0)

    # ttrl generate.
    gen = ["generate", "--model", "ckpt", "--input", "prompts.jsonl", "--output", "out.jsonl", "--max-new-tokens", "8"]
    case("generate model missing", ["generate", "--model", "nothere", "--input", "prompts.jsonl", "--output", "o.jsonl"],
         r"--model: Directory does not exist: nothere")
    case("generate input missing", ["generate", "--model", "ckpt", "--input", "nothere.jsonl", "--output", "o.jsonl"],
         r"nothere\.jsonl")
    case("generate input not json", gen, r"prompts\.jsonl:1:", write("prompts.jsonl", "prompt_ids: [1]\n"))
    case("generate input invalid utf-8", gen, r"prompts\.jsonl:1: .*not valid UTF-8",
         write("prompts.jsonl", b"{\"prompt\": \"\xc3\x28\"}\n", "wb"))
    case("generate empty ids", gen, r"prompts\.jsonl:1: \"prompt_ids\" must be a non-empty list",
         write("prompts.jsonl", "{\"prompt_ids\": []}\n"))
    case("generate ids not ints", gen, r"prompts\.jsonl:1: \"prompt_ids\" must hold integers",
         write("prompts.jsonl", "{\"prompt_ids\": [1, \"a\"]}\n"))
    case("generate id out of vocab", gen, r"token id 99999 outside the vocabulary",
         write("prompts.jsonl", "{\"prompt_ids\": [1, 99999]}\n"))
    case("generate text without tokenizer", gen, r"tokenizer", write("prompts.jsonl", "{\"prompt\": \"hi\"}\n"))
    case("generate no prompts", gen, r"prompts\.jsonl' holds no prompts", write("prompts.jsonl", "\n"))
    case("generate temperature inf", gen + ["--temperature", "inf"], r"--temperature: expected a finite number in \[0, 100\], got 'inf'")
    case("generate temperature nan", gen + ["--temperature", "nan"], r"--temperature: expected a finite number in \[0, 100\], got 'nan'")
    case("generate temperature negative", gen + ["--temperature", "-1"], r"--temperature: expected a finite number")
    case("generate top-p zero", gen + ["--top-p", "0"], r"--top-p: expected a finite number in \(0, 1\]")
    case("generate top-p two", gen + ["--top-p", "2"], r"--top-p: expected a finite number in \(0, 1\]")
    case("generate min-p two", gen + ["--min-p", "2"], r"--min-p: expected a finite number in \[0, 1\]")
    case("generate n zero", gen + ["--n", "0"], r"n must be >= 1")
    case("generate n huge", gen + ["--n", "100000000000"], r"sampling n .*--n")
    case("generate max-new-tokens zero", gen[:-2] + ["--max-new-tokens", "0"], r"max_new_tokens must be >= 1")
    case("generate beyond context", gen[:-2] + ["--max-new-tokens", "100000"], r"exceed the model's context")
    case("generate max batch huge", gen + ["--max-batch", "1000000000"], r"", outputs=["out.jsonl"], code=0)
    case("generate bad device", gen + ["--device", "cuda:7"], r"cuda:7")
    case("generate bad dtype", gen + ["--dtype", "float8"], r"float8")
    case("generate output is a directory", gen[:-4] + ["--output", "foreign", "--max-new-tokens", "8"], r"foreign")
    # Missing parent directories of an output file are created, as save_pretrained does.
    case("generate output dir missing", gen[:-4] + ["--output", "no/dir/o.jsonl", "--max-new-tokens", "8"], r"no/dir",
         outputs=["no"], code=0)
    case("generate stop string empty", gen + ["--stop", ""], r"stop strings must not be empty")

    # ttrl score: the checkpoint's config.json and safetensors.
    score = ["score", "--model", "ckpt", "--input", "score.jsonl"]
    cfg = "ckpt/config.json"
    weights = "ckpt/model.safetensors"
    case("config vocab far beyond tensors", score, r"tensor 'model\.embed_tokens\.weight' has shape \[\d+, 32\] but config\.json implies \[1000000000, 32\]",
         edit_json(cfg, set_key("vocab_size", 1000000000)))
    case("config hidden far beyond tensors", score, r"ckpt/config\.json|has shape",
         edit_json(cfg, set_key("hidden_size", 1048576)))
    case("config intermediate far beyond tensors", score, r"has shape \[64, 32\] but config\.json implies \[100000000, 32\]",
         edit_json(cfg, set_key("intermediate_size", 100000000)))
    case("config layers huge", score, r"num_hidden_layers.*at most 65536", edit_json(cfg, set_key("num_hidden_layers", 1000000000)))
    case("config more layers than tensors", score, r"tensor 'model\.layers\.1\.[a-z_.]+' is missing from checkpoint 'ckpt'",
         edit_json(cfg, set_key("num_hidden_layers", 2)))
    case("checkpoint config missing", score, r"ckpt/config\.json", remove(cfg))
    case("config malformed", score, r"ckpt/config\.json", write(cfg, "{\"model_type\": "))
    case("config unknown model type", score, r"model_type.*'gpt9'", edit_json(cfg, set_key("model_type", "gpt9")))
    case("config gelu", score, r"hidden_act.*silu", edit_json(cfg, set_key("hidden_act", "gelu")))
    case("config negative size", score, r"ckpt/config\.json: model config: hidden_size must be positive", edit_json(cfg, set_key("hidden_size", -8)))
    case("config string size", score, r"hidden_size", edit_json(cfg, set_key("hidden_size", "32")))
    case("safetensors truncated", score, r"model\.safetensors", truncate(weights, 100))
    case("safetensors empty", score, r"model\.safetensors", truncate(weights, 0))
    case("safetensors huge header length", score, r"model\.safetensors.*header", raw_header_length(weights, 1 << 62))
    case("safetensors header not json", score, r"model\.safetensors",
         write(weights, struct.pack("<Q", 8) + b"{{{{{{{{", "wb"))
    case("safetensors f8 tensor", score, r"dtype F8_E4M3, which ttrl does not load",
         safetensors_header(weights, first_tensor_named("embed_tokens", lambda e: e.update(
             dtype="F8_E4M3", shape=[e["shape"][0], e["shape"][1] * 4]))))
    case("safetensors int tensor", score, r"dtype I32, which ttrl does not load",
         safetensors_header(weights, first_tensor_named("embed_tokens", lambda e: e.update(dtype="I32"))))
    case("safetensors unknown dtype", score, r"model\.safetensors.*Q4",
         safetensors_header(weights, first_tensor_named("embed_tokens", lambda e: e.update(dtype="Q4"))))
    case("safetensors offsets outside", score, r"model\.safetensors",
         safetensors_header(weights, first_tensor_named("norm", lambda e: e.update(data_offsets=[0, 1 << 40]))))
    case("safetensors negative shape", score, r"model\.safetensors",
         safetensors_header(weights, first_tensor_named("embed_tokens", lambda e: e.update(shape=[-1, 32]))))
    case("score temperature inf", score + ["--temperature", "inf"], r"--temperature: expected a finite number in \(0, 100\]")
    case("score batch tokens zero", score + ["--batch-tokens", "0"], r"--batch-tokens")
    case("score input missing field", score, r"score\.jsonl:1: ", write("score.jsonl", "{\"completion_ids\": [1]}\n"))
    case("score empty prompt", score, r"score\.jsonl:1: \"prompt_ids\" is empty",
         write("score.jsonl", "{\"prompt_ids\": [], \"completion_ids\": [1]}\n"))

    # ttrl tokenize: tokenizer files.
    tok = ["tokenize", "--tokenizer", "tok", "--input", "texts.jsonl", "--output", "o.jsonl"]
    case("tokenizer missing", ["tokenize", "--tokenizer", "nothere", "--input", "texts.jsonl"], r"tokenizer path 'nothere' does not exist")
    case("tokenizer dir without files", ["tokenize", "--tokenizer", "foreign", "--input", "texts.jsonl"], r"no tokenizer in directory 'foreign'")
    case("tokenizer json malformed", tok, r"tok/tokenizer\.json", write("tok/tokenizer.json", "{\"model\": "))
    case("tokenizer empty vocab", tok, r"tok/tokenizer\.json.*vocab.*is empty",
         edit_json("tok/tokenizer.json", lambda d: (d["model"].update(vocab={}, merges=[]), d.update(added_tokens=[]))))
    case("tokenizer added id huge", tok, r"tok/tokenizer\.json.*added_tokens\[0\]\.id.*id table up to 999999999999",
         edit_json("tok/tokenizer.json", lambda d: d["added_tokens"][0].update(id=999999999999)))
    case("tokenizer added id negative", tok, r"tok/tokenizer\.json.*added_tokens\[0\]\.id.*non-negative",
         edit_json("tok/tokenizer.json", lambda d: d["added_tokens"][0].update(id=-5)))
    case("tokenizer vocab id huge", tok, r"tok/tokenizer\.json.*id table up to 999999999999",
         edit_json("tok/tokenizer.json", lambda d: d["model"]["vocab"].update({"zzzz": 999999999999})))
    case("tokenizer unsupported model", tok, r"tok/tokenizer\.json.*unsupported model \"WordPiece\"",
         edit_json("tok/tokenizer.json", lambda d: d["model"].update(type="WordPiece")))
    gpt = ["tokenize", "--tokenizer", "gpt", "--input", "texts.jsonl", "--output", "o.jsonl"]
    gpt_files = steps(write("gpt/vocab.json", json.dumps({"h": 0, "e": 1, "l": 2, "o": 3, "he": 4})),
                      write("gpt/merges.txt", "#version: 0.2\nh e\n"))
    case("vocab json works", gpt, r"", gpt_files, outputs=["o.jsonl"], code=0)
    case("vocab json empty", gpt, r"gpt/vocab\.json.*is empty", steps(gpt_files, write("gpt/vocab.json", "{}")))
    case("vocab json id huge", gpt, r"gpt/vocab\.json.*id table up to 999999999999",
         steps(gpt_files, write("gpt/vocab.json", json.dumps({"h": 0, "e": 999999999999}))))
    case("tokenizer config decoder negative key", gpt, r"gpt/tokenizer_config\.json.*not a non-negative integer id",
         steps(gpt_files, write("gpt/tokenizer_config.json",
                                json.dumps({"added_tokens_decoder": {"-5": {"content": "<x>", "special": True}}}))))
    case("tokenizer config decoder huge key", gpt, r"gpt/tokenizer_config\.json.*id table up to 999999999999",
         steps(gpt_files, write("gpt/tokenizer_config.json",
                                json.dumps({"added_tokens_decoder": {"999999999999": {"content": "<x>"}}}))))
    case("added tokens json negative", gpt, r"gpt/added_tokens\.json.*non-negative",
         steps(gpt_files, write("gpt/added_tokens.json", json.dumps({"<x>": -2}))))
    case("tokenizer input invalid utf-8", tok, r"texts\.jsonl:1: .*not valid UTF-8",
         write("texts.jsonl", b"{\"text\": \"\xff\"}\n", "wb"))
    case("tokenizer input not json", tok, r"texts\.jsonl:1:", write("texts.jsonl", "hello\n"))
    spm = ["tokenize", "--tokenizer", "spm", "--input", "texts.jsonl", "--output", "o.jsonl"]
    case("sentencepiece works", spm, r"", outputs=["o.jsonl"], code=0)
    case("sentencepiece model corrupt", spm, r"spm/tokenizer\.model", write("spm/tokenizer.model", b"\x0a\x05garbage", "wb"))
    case("sentencepiece model empty", spm, r"spm/tokenizer\.model", write("spm/tokenizer.model", b"", "wb"))
    case("sentencepiece model truncated", spm, r"spm/tokenizer\.model", truncate("spm/tokenizer.model", 1000))

    # ttrl grade and ttrl reward.
    case("grade input missing", ["grade", "-i", "nothere.jsonl"], r"nothere\.jsonl")
    case("grade input malformed", ["grade", "-i", "grade.jsonl"], r"grade\.jsonl:1:", write("grade.jsonl", "{\"prediction\": \n"))
    case("grade input invalid utf-8", ["grade", "-i", "grade.jsonl"], r"grade\.jsonl:1: .*not valid UTF-8",
         write("grade.jsonl", b"{\"prediction\": \"\xfe\", \"gold\": \"1\"}\n", "wb"))
    case("reward input missing", ["reward", "-i", "nothere.jsonl"], r"nothere\.jsonl")
    case("reward input malformed", ["reward", "-i", "groups.jsonl"], r"groups\.jsonl:1:", write("groups.jsonl", "[1, 2]\n"))
    case("reward rollouts not a list", ["reward", "-i", "groups.jsonl"], r"groups\.jsonl:1:.*rollouts",
         write("groups.jsonl", "{\"rollouts\": 3}\n"))
    group = "{\"prompt\": \"1+1?\", \"gold\": \"2\", \"rollouts\": [{\"text\": \"\\\\boxed{2}\", \"logprobs\": [-1]}]}\n"
    case("rlpr without a model", ["reward", "-i", "groups.jsonl", "--set", "reward.name=rlpr"],
         r"groups\.jsonl:1: rlpr: no policy to score with", write("groups.jsonl", group))
    case("rlpr model missing", ["reward", "-i", "groups.jsonl", "--set", "reward.name=rlpr", "--model", "nothere"],
         r"--model: 'nothere' is not a directory", write("groups.jsonl", group))
    case("self_certainty without its lists", ["reward", "-i", "groups.jsonl", "--set", "reward.name=self_certainty"],
         r"groups\.jsonl:1: self_certainty: rollout 0 has 1 tokens but no per-token self_certainties",
         write("groups.jsonl", group))
    case("per-token list too short", ["reward", "-i", "groups.jsonl"], r"groups\.jsonl:1: \"rollouts\[0\]\.entropies\": 1 entries",
         write("groups.jsonl", "{\"rollouts\": [{\"text\": \"a\", \"logprobs\": [-1, -2], \"entropies\": [1]}]}\n"))
    case("unknown empo gate", ["reward", "-i", "groups.jsonl", "--set", "reward.gate=entropie"],
         r"reward\.gate", write("groups.jsonl", group))

    # ttrl eval.
    case("eval without model", ["eval", "--data", "data.jsonl"], r"eval: no model: give --model DIR")
    case("eval data missing", ["eval", "--model", "ckpt", "--data", "nothere.json", "--tokenizer", "byte", "--output", "r.json"],
         r"nothere\.json", outputs=["r.json"])
    case("eval table not results", ["eval", "--table", "results.json"], r"results\.json")
    case("eval table missing", ["eval", "--table", "nothere.json"], r"nothere\.json")
    case("eval temperature nan", ["eval", "--model", "ckpt", "--data", "data.jsonl", "--temperature", "nan"],
         r"--temperature: expected a finite number")
    case("eval output foreign file", ["eval", "--model", "ckpt", "--tokenizer", "byte", "--data", "data.jsonl", "--output", "afile"],
         r"afile.*--overwrite")

    # ttrl sft.
    sft = ["sft", "-c", T, "--data", "data.jsonl", "--steps", "1", "--batch-size", "2"]
    case("sft output is a file", sft + ["--output", "afile"], r"afile")
    case("sft output foreign dir", sft + ["--output", "foreign"], r"foreign.*--overwrite")
    case("sft solution key missing", sft + ["--output", "o", "--solution-key", "worked"], r"no string field 'worked'",
         outputs=["o"])
    case("sft solution key is prompt", sft + ["--output", "o", "--solution-key", "prompt"], r"data\.prompt_key", outputs=["o"])
    case("sft lr zero", sft + ["--output", "o", "--lr", "0"], r"--lr: expected a finite number in \(0, 1\]")
    case("sft data missing", ["sft", "-c", T, "--data", "nothere.jsonl", "--output", "o"], r"nothere\.jsonl", outputs=["o"])

    # ttrl demo (only its refusals: the demo itself is tested by demo_check.py).
    case("demo output foreign dir", ["demo", "--tiny", "--output", "foreign"], r"foreign.*--overwrite")
    case("demo output is a file", ["demo", "--tiny", "--output", "afile"], r"afile")
    case("demo set unknown key", ["demo", "--tiny", "--output", "d", "--set", "trainer.lrr=1"], r"unknown key 'trainer\.lrr'",
         outputs=["d"])
    return c


# ---------------------------------------------------------------------------------------------------------------------

def snapshot(root):
    files = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, root)] = hash(f.read())
        if directory != root and not names and not os.listdir(directory):
            files[os.path.relpath(directory, root) + "/"] = 0
    return files


def run_case(ttrl, sandbox, work, case):
    name, damage, argv, pattern, outputs, code = case
    root = os.path.join(work, "case")
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(sandbox, root, symlinks=True)
    if damage:
        damage(root)
    before = snapshot(root)
    log_path = os.path.join(work, "out.txt")
    with open(log_path, "w") as log:
        start = time.time()
        proc = subprocess.Popen([ttrl] + argv, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                                env=dict(os.environ, OMP_NUM_THREADS="1"))
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.time() - start
    with open(log_path, errors="replace") as f:
        output = f.read()
    problems = []
    if os.WIFSIGNALED(status):
        problems.append(f"killed by signal {os.WTERMSIG(status)}")
        rc = 128 + os.WTERMSIG(status)
    else:
        rc = os.WEXITSTATUS(status)
    if code is None and not 0 < rc < 128:
        problems.append(f"exit code {rc}, wanted an error (1..127)")
    if code is not None and rc != code:
        problems.append(f"exit code {rc}, wanted {code}")
    if not re.search(pattern, output):
        problems.append(f"output does not match /{pattern}/")
    if "internal error" in output or "frame #" in output:
        problems.append("an internal error or a backtrace reached the user")
    after = snapshot(root)
    allowed = lambda path: any(path == o or path.startswith(o.rstrip("/") + "/") for o in outputs)
    touched = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p) and not allowed(p))
    if touched:
        problems.append(f"touched files outside its outputs: {touched[:5]}")
    peak_mb = usage.ru_maxrss / 1024
    if peak_mb > MEMORY_BOUND_MB:
        problems.append(f"peak memory {peak_mb:.0f} MB > {MEMORY_BOUND_MB} MB")
    return problems, rc, output, seconds, peak_mb


def main():
    args = [a for a in sys.argv[1:]]
    only = None
    if "-k" in args:
        i = args.index("-k")
        only = args[i + 1]
        del args[i:i + 2]
    ttrl = os.path.abspath(args[0])
    source_dir = os.path.abspath(args[1])
    shared = os.path.abspath(args[2]) if len(args) > 2 else os.path.join(source_dir, "..", "shared")
    table = [c for c in cases() if only is None or only in c[0]]
    names = [c[0] for c in table]
    assert len(names) == len(set(names)), "case names must be unique"
    with tempfile.TemporaryDirectory(prefix="ttrl_bad_inputs_") as work:
        sandbox = os.path.join(work, "sandbox")
        os.makedirs(sandbox)
        make_sandbox(ttrl, sandbox, shared)
        failures = 0
        skipped = 0
        for case in table:
            argv = case[2]
            if any(a in ("tok", "spm") for a in argv) and "--tokenizer" in argv and not os.path.isdir(os.path.join(sandbox, argv[argv.index("--tokenizer") + 1])):
                skipped += 1
                print(f"skip  {case[0]} (no shared tokenizer fixtures)")
                continue
            problems, rc, output, seconds, peak_mb = run_case(ttrl, sandbox, work, case)
            if problems:
                failures += 1
                print(f"FAIL  {case[0]}: ttrl {' '.join(argv)}\n      rc={rc} {seconds:.1f}s {peak_mb:.0f}MB")
                for p in problems:
                    print(f"      - {p}")
                print("      output: " + output.strip()[-600:].replace("\n", "\n              "))
            else:
                last_line = output.strip().splitlines()[-1] if output.strip() else ""
                print(f"ok    {case[0]} (rc={rc}, {seconds:.1f}s, {peak_mb:.0f}MB): {last_line[:150]}")
        print(f"{len(table) - failures - skipped} of {len(table)} cases pass, {failures} fail, {skipped} skipped")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
