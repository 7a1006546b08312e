#!/usr/bin/env python3
"""Seed inputs for a libFuzzer target of tests/fuzz, derived at run time from real files: ../shared/fixtures (which
must not be copied into the project) and configs/. Called by scripts/fuzz.sh:

    fixture_seeds.py TARGET OUT_DIR --root REPO --fixtures FIXTURES

Writes small files (each fits the target's default FUZZ_MAX_LEN) in the target's input format (see the comment at
the top of tests/fuzz/fuzz_<TARGET>.cpp). Targets or fixtures it has nothing for give no seeds; missing fixtures are
not an error (the checked-in seeds in tests/fuzz/seeds/ still apply)."""
import argparse
import json
import sys
from pathlib import Path

BUDGET = 4000  # bytes: every seed fits the smallest FUZZ_MAX_LEN used with JSON (4096)


def write(out, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    (out / name).write_bytes(data)


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def grader_cases(fixtures):
    path = fixtures / "grader" / "cases.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def vocab_texts(fixtures, limit=60):
    """The test texts of the llama.cpp vocabulary tests (real multilingual text, emoji, white space runs)."""
    texts = []
    for name in ("qwen2/ggml-vocab-qwen2.gguf.inp", "llama2-spm/ggml-vocab-llama-spm.gguf.inp"):
        path = fixtures / "tokenizers" / name
        if path.exists():
            texts += path.read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")
    return [t for t in texts if len(t) < 600][:limit]


def id_lines(fixtures, limit=60):
    """Token id sequences HF tokenizers gave for those texts."""
    ids = []
    for name in ("qwen2/ggml-vocab-qwen2.gguf.out", "llama2-spm/ggml-vocab-llama-spm.gguf.out"):
        path = fixtures / "tokenizers" / name
        if path.exists():
            ids += [[int(x) for x in line.split()] for line in path.read_text().splitlines() if line.split()]
    return [i for i in ids if len(i) < 200][:limit]


def benchmark_records(fixtures):
    """(file name, records) of each TTRL benchmark file."""
    directory = fixtures / "benchmarks"
    if not directory.exists():
        return []
    return [(p.name, read_json(p)) for p in sorted(directory.glob("*.json"))]


def chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def jsonl(objects):
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)


def fitting(objects, render):
    """The longest prefix of `objects` whose rendering fits the budget (at least one object when it fits alone)."""
    kept = []
    for o in objects:
        if len(render(kept + [o]).encode("utf-8")) > BUDGET:
            break
        kept.append(o)
    return kept


# ---- answer and JSONL readers ----------------------------------------------------------------------------------

def seeds_answer(out, fixtures, root):
    tasks = {"math": 0, "choice": 1, "last_number": 2}
    for i, case in enumerate(grader_cases(fixtures)):
        if case.get("kind") == "equal" and isinstance(case.get("pred"), str) and isinstance(case.get("gold"), str):
            task = tasks.get(case.get("task", "math"), 0)
            write(out, f"case_{i:04d}", bytes([task]) + f"{case['pred']}\0{case['gold']}".encode("utf-8"))


def seeds_grade_jsonl(out, fixtures, root):
    lines = [json.dumps({k: c[k] for k in ("pred", "gold", "input_form", "task") if k in c}, ensure_ascii=False)
             for c in grader_cases(fixtures) if c.get("kind") == "equal"]
    for i, group in enumerate(chunks(lines, 4)):
        kept = fitting(group, lambda ls: "\n".join(ls) + "\n")
        if kept:
            write(out, f"cases_{i:03d}.jsonl", "\n".join(kept) + "\n")


def seeds_dataset(out, fixtures, root):
    for name, records in benchmark_records(fixtures):
        stem = name.rsplit(".", 1)[0]
        listed = fitting(records[:3], lambda rs: json.dumps(rs, indent=2, ensure_ascii=False))
        if listed:
            write(out, f"{stem}_list.json", json.dumps(listed, indent=2, ensure_ascii=False))
        lines = fitting(records[3:8], jsonl)
        if lines:
            write(out, f"{stem}_lines.jsonl", jsonl(lines))


def seeds_score_jsonl(out, fixtures, root):
    requests = [{"prompt_ids": ids[:max(1, len(ids) // 2)], "completion_ids": ids[max(1, len(ids) // 2):]}
                for ids in id_lines(fixtures)]
    for i, group in enumerate(chunks(requests, 4)):
        write(out, f"requests_{i:02d}.jsonl", jsonl(fitting(group, jsonl)))


def seeds_generate_jsonl(out, fixtures, root):
    prompts = [{"prompt_ids": ids} for ids in id_lines(fixtures) if ids]
    prompts += [{"prompt": text} for text in vocab_texts(fixtures)]
    for _, records in benchmark_records(fixtures)[:3]:
        prompts += [{"prompt": r["prompt"]} for r in records[:2] if isinstance(r.get("prompt"), str)]
    for i, group in enumerate(chunks(prompts, 4)):
        kept = fitting(group, jsonl)
        if kept:
            write(out, f"prompts_{i:02d}.jsonl", jsonl(kept))


def seeds_reward_jsonl(out, fixtures, root):
    tasks = ("math", "choice", "last_number")
    groups = []
    for i, case in enumerate(grader_cases(fixtures)):
        if case.get("kind") != "equal" or not isinstance(case.get("pred"), str) or not isinstance(case.get("gold"), str):
            continue
        texts = [case["pred"], case["gold"], case["pred"], "no answer here"]
        groups.append({"rollouts": [{"text": t, "entropy": 0.25 * (k + 1), "num_tokens": 10 + k}
                                    for k, t in enumerate(texts)],
                       "vocab_size": 151936, "gold": case["gold"], "task": tasks[i % 3] if i % 5 == 0 else "math",
                       "prompt": "What is the answer?"})
    for i, group in enumerate(chunks(groups, 3)):
        kept = fitting(group, jsonl)
        if kept:
            write(out, f"groups_{i:03d}.jsonl", jsonl(kept))


def seeds_tokenize_jsonl(out, fixtures, root):
    lines = [{"text": t} for t in vocab_texts(fixtures)] + [{"ids": ids} for ids in id_lines(fixtures)]
    for i, group in enumerate(chunks(lines, 4)):
        kept = fitting(group, jsonl)
        if kept:
            write(out, f"lines_{i:02d}.jsonl", jsonl(kept))


# ---- configuration ---------------------------------------------------------------------------------------------

def seeds_config(out, fixtures, root):
    for path in sorted((root / "configs").rglob("*.yaml")):
        write(out, "_".join(path.relative_to(root / "configs").parts), path.read_bytes())


# ---- tokenizers ------------------------------------------------------------------------------------------------

def shrink_vocab_and_merges(vocab, merges, size):
    """The entries with id < size, and the merges among them (a real vocabulary, cut down to fuzz quickly)."""
    kept = {token: i for token, i in vocab.items() if i < size}
    pairs = [m if isinstance(m, list) else m.split(" ", 1) for m in merges]
    return kept, [p for p in pairs if len(p) == 2 and p[0] in kept and p[1] in kept and p[0] + p[1] in kept]


def small_tokenizer_json(tokenizer, size):
    """tokenizer.json with its vocabulary cut to `size` ids and its added tokens renumbered right after them."""
    vocab, merges = shrink_vocab_and_merges(tokenizer["model"]["vocab"], tokenizer["model"]["merges"], size)
    small = dict(tokenizer)
    small["model"] = dict(tokenizer["model"], vocab=vocab, merges=[" ".join(m) for m in merges])
    added = [t for t in tokenizer["added_tokens"] if t["content"] in ("<|endoftext|>", "<|im_start|>", "<|im_end|>")]
    small["added_tokens"] = [dict(t, id=size + k) for k, t in enumerate(added)]
    return small, {t["content"]: t["id"] for t in small["added_tokens"]}


def small_tokenizer_config(config, added_ids):
    """tokenizer_config.json with added_tokens_decoder renumbered like the small vocabulary's added tokens."""
    small = dict(config)
    small["added_tokens_decoder"] = {str(added_ids[e["content"]]): e for e in config.get("added_tokens_decoder", {}).values()
                                     if e["content"] in added_ids}
    return small


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def seeds_tokenizer(out, fixtures, root):
    tokenizers = fixtures / "tokenizers"
    texts = vocab_texts(fixtures, 12) or ["Hello world"]
    qwen_config = tokenizers / "qwen2" / "tokenizer_config.json"
    model_config = tokenizers / "qwen2" / "config.Qwen2-1.5B-Instruct.json"
    if (tokenizers / "qwen2.5" / "tokenizer.json").exists() and qwen_config.exists():
        tokenizer, added_ids = small_tokenizer_json(read_json(tokenizers / "qwen2.5" / "tokenizer.json"), 300)
        config = small_tokenizer_config(read_json(qwen_config), added_ids)
        generation = {"bos_token_id": added_ids["<|endoftext|>"], "eos_token_id": [added_ids["<|im_end|>"],
                                                                                  added_ids["<|endoftext|>"]]}
        if model_config.exists():
            generation["_from"] = read_json(model_config).get("_name_or_path")
        for i, text in enumerate(texts):
            parts = [compact(tokenizer), compact(config) if i % 2 == 0 else "", compact(generation), text]
            write(out, f"tokenizer_json_{i:02d}", b"\0" + "\0".join(parts).encode("utf-8"))
    if (tokenizers / "qwen2" / "vocab.json").exists():
        vocab, merges = shrink_vocab_and_merges(read_json(tokenizers / "qwen2" / "vocab.json"),
                                                (tokenizers / "qwen2" / "merges.txt").read_text(encoding="utf-8")
                                                .splitlines()[1:], 300)
        added_ids = {"<|endoftext|>": 300, "<|im_start|>": 301, "<|im_end|>": 302}
        config = small_tokenizer_config(read_json(qwen_config), added_ids) if qwen_config.exists() else {}
        merges_txt = "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)
        for i, text in enumerate(texts[:6]):
            parts = [compact(vocab), merges_txt, compact(config), text]
            write(out, f"vocab_qwen2_{i:02d}", b"\1" + "\0".join(parts).encode("utf-8"))
    if (tokenizers / "llama3" / "encoder.json").exists():
        vocab, merges = shrink_vocab_and_merges(read_json(tokenizers / "llama3" / "encoder.json"),
                                                (tokenizers / "llama3" / "vocab.bpe").read_text(encoding="utf-8")
                                                .splitlines(), 300)
        parts = [compact(vocab), "".join(f"{a} {b}\n" for a, b in merges)]
        write(out, "vocab_llama3", b"\1" + "\0".join(parts).encode("utf-8"))


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def protobuf_fields(data):
    """(field number, wire type, raw bytes of the whole field) of a serialized protobuf message."""
    pos = 0
    while pos < len(data):
        start = pos
        key = 0
        shift = 0
        while True:
            byte = data[pos]
            pos += 1
            key |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        number, wire = key >> 3, key & 7
        if wire == 0:
            while data[pos] >= 0x80:
                pos += 1
            pos += 1
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length = 0
            shift = 0
            while True:
                byte = data[pos]
                pos += 1
                length |= (byte & 0x7F) << shift
                shift += 7
                if byte < 0x80:
                    break
            pos += length
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, data[start:pos]


def payload(field):
    """The bytes of a length-delimited field."""
    pos = 1
    length, shift = 0, 0
    while True:
        byte = field[pos]
        pos += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    return field[pos:pos + length]


def small_sentencepiece(model, pieces, keep_bytes):
    """A real ModelProto cut to its first `pieces` pieces (byte pieces dropped unless keep_bytes, byte_fallback then
    cleared), without self-test data and without the normalizer's precompiled character map."""
    out = bytearray()
    kept = 0
    for number, wire, raw in protobuf_fields(model):
        if number == 1:  # SentencePiece
            is_byte = any(n == 3 and raw_type == bytes([0x18, 6]) for n, _, raw_type in protobuf_fields(payload(raw)))
            if kept >= pieces or (is_byte and not keep_bytes):
                continue
            kept += 1
            out += raw
        elif number == 2:  # TrainerSpec: byte_fallback (35) only when the byte pieces are kept
            spec = b"".join(r for n, _, r in protobuf_fields(payload(raw)) if keep_bytes or n != 35)
            out += b"\x12" + varint(len(spec)) + spec
        elif number == 3:  # NormalizerSpec without precompiled_charsmap (2)
            spec = b"".join(r for n, _, r in protobuf_fields(payload(raw)) if n != 2)
            out += b"\x1a" + varint(len(spec)) + spec
        elif number != 4:  # self_test_data dropped
            out += raw
    return bytes(out)


def seeds_sentencepiece(out, fixtures, root):
    tokenizers = fixtures / "tokenizers"
    texts = vocab_texts(fixtures, 8) or ["Hello world"]
    config = compact({"add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>",
                      "unk_token": {"content": "<unk>"}, "tokenizer_class": "LlamaTokenizer"})
    models = [("llama2", tokenizers / "llama2-spm" / "tokenizer.model"),
              ("mistral", tokenizers / "mistral-spm" / "tokenizer.model.v1"),
              ("unigram", tokenizers / "sentencepiece-small" / "test_model.model")]
    for name, path in models:
        if not path.exists():
            continue
        model = path.read_bytes()
        variants = [("bytes", small_sentencepiece(model, 300, True)), ("nobytes", small_sentencepiece(model, 120, False))]
        for i, (variant, small) in enumerate(variants):
            text = texts[i % len(texts)]
            write(out, f"{name}_{variant}", (config if i == 0 else "").encode() + b"\0" + text.encode() + b"\0" + small)


def seeds_chat_template(out, fixtures, root):
    tokenizers = fixtures / "tokenizers"
    config = (tokenizers / "qwen2" / "tokenizer_config.json")
    config_text = config.read_text(encoding="utf-8") if config.exists() else ""
    conversations = [
        ["\x01What is 2+2?"],
        ["\x00You are a careful mathematician.", "\x01Solve x^2 = 4.", "\x02<think>x = 2 or -2</think>x = \\pm 2",
         "\x01  And x^3 = 8?  "],
        ["\x03tool\n{\"name\": \"calc\"}", "\x01Hi"],
    ]
    for path in sorted((tokenizers / "templates").glob("*.jinja")):
        for i, messages in enumerate(conversations):
            parts = [path.read_text(encoding="utf-8"), config_text if i == 0 else ""] + messages
            write(out, f"{path.stem}_{i}", "\0".join(parts))


SEEDS = {name[len("seeds_"):]: f for name, f in globals().items() if name.startswith("seeds_")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target")
    parser.add_argument("out", type=Path)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--fixtures", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    make = SEEDS.get(args.target)
    if make is None:
        return 0  # targets whose seeds are all checked in
    make(args.out, args.fixtures, args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
