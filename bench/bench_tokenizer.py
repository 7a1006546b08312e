#!/usr/bin/env python3
"""Encode throughput of ttrl's tokenizers against Hugging Face tokenizers (Rust), measured in the same run.

    .venv/bin/python bench/bench_tokenizer.py --bench build/bin/bench_tokenizer [--shared ../shared] [--mb 4]

Text: the TTRL benchmark questions and solutions, the grader corpus, Python and C++ source files, and generated
multilingual text (CJK, Cyrillic, Arabic, emoji), cut into documents of 1-8 KB, about --mb megabytes in all.
Both sides encode every document with add_special_tokens=False. "cold" is the first pass (empty word caches),
"warm" the mean of the next passes. Single-thread: HF Tokenizer.encode per document vs ttrl with 1 thread;
multi-thread: HF encode_batch (Rayon, all cores) vs ttrl with as many threads. Also checks the token counts agree.
The whole measurement (fresh HF tokenizers, a fresh ttrl process) runs --repeats times, so "cold" is measured that
many times too; the figures printed are medians. --json PATH writes the Qwen2.5 cold rows (1 thread and --threads)
as a record for scripts/bench_table.py (bench/bench_record.py), with every other figure under "details".

    .venv/bin/python bench/bench_tokenizer.py --bench build/bin/bench_tokenizer --repeats 3 \\
        --json bench/results/tokenizer.json
"""
import argparse
import glob
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import bench_record


def corpus(shared, megabytes, seed=1):
    rng = random.Random(seed)
    texts = []
    for path in sorted(glob.glob(os.path.join(shared, "fixtures/benchmarks/*.json"))):
        for record in json.load(open(path, encoding="utf-8")):
            texts += [str(v) for k, v in record.items() if k in ("prompt", "solution", "answer")]
    for line in open(os.path.join(shared, "fixtures/grader/cases.jsonl"), encoding="utf-8"):
        texts.append(line)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sources = sorted(glob.glob(os.path.join(root, "src/**/*.cpp"), recursive=True))
    site = glob.glob(os.path.join(root, ".venv/lib/python3*/site-packages/transformers/generation/*.py"))
    for path in sources + sorted(site):
        texts.append(open(path, encoding="utf-8", errors="replace").read())
    scripts = [(0x4E00, 0x9FFF), (0x3040, 0x30FF), (0xAC00, 0xD7A3), (0x410, 0x44F), (0x621, 0x64A), (0x1F600, 0x1F64F)]
    for _ in range(400):
        a, b = rng.choice(scripts)
        words = ["".join(chr(rng.randint(a, b)) for _ in range(rng.randint(1, 6))) for _ in range(rng.randint(50, 400))]
        texts.append(" ".join(words) + "。\n")
    text = "\n\n".join(texts)
    limit = int(megabytes * 1e6)
    docs, pos = [], 0
    while pos < len(text) and sum(map(len, docs)) < limit:
        size = rng.randint(1000, 8000)
        docs.append(text[pos:pos + size])
        pos += size
    return docs


def hf_times(path, docs, repeat):
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(path)
    start = time.perf_counter()
    tokens = sum(len(tokenizer.encode(d, add_special_tokens=False).ids) for d in docs)
    cold = time.perf_counter() - start
    warm = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        for d in docs:
            tokenizer.encode(d, add_special_tokens=False)
        warm += time.perf_counter() - start
    batch = Tokenizer.from_file(path)
    start = time.perf_counter()
    batch.encode_batch(docs, add_special_tokens=False)
    batch_cold = time.perf_counter() - start
    batch_warm = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        batch.encode_batch(docs, add_special_tokens=False)
        batch_warm += time.perf_counter() - start
    return tokens, cold, warm / repeat, batch_cold, batch_warm / repeat


def build_llama3(shared, tmp):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
    fx = os.path.join(shared, "fixtures/tokenizers/llama3")
    vocab = json.load(open(os.path.join(fx, "encoder.json"), encoding="utf-8"))
    merges = [tuple(l.split(" ")) for l in open(os.path.join(fx, "vocab.bpe"), encoding="utf-8").read().split("\n")
              if l and not l.startswith("#version")]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=True))
    pattern = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
               r"\s*[\r\n]+|\s+(?!\S)|\s+")
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(n, special=True, normalized=False) for n in ["<|begin_of_text|>", "<|end_of_text|>"]])
    path = os.path.join(tmp, "llama3.json")
    tok.save(path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True, help="the bench_tokenizer executable")
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared"))
    parser.add_argument("--mb", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3, help="warm passes per measurement (after the cold one)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="independent measurements (fresh tokenizers and process each); medians are reported")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--json", metavar="PATH", help="write the result record here (bench/bench_record.py)")
    args = parser.parse_args()
    if args.repeats < 1 or args.repeat < 1:
        parser.error("--repeat and --repeats must be >= 1")
    meta = bench_record.begin(args.threads)

    docs = corpus(args.shared, args.mb)
    megabytes = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    print(f"{len(docs)} documents, {megabytes:.2f} MB; {args.threads} threads for the batch rows")
    with tempfile.TemporaryDirectory() as tmp:
        docs_path = os.path.join(tmp, "docs.jsonl")
        with open(docs_path, "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps({"text": d}, ensure_ascii=False) + "\n")
        vocabularies = [("qwen2.5", os.path.join(args.shared, "fixtures/tokenizers/qwen2.5/tokenizer.json")),
                        ("llama3", build_llama3(args.shared, tmp))]
        print(f"{'vocabulary':10} {'mode':22} {'HF MB/s':>9} {'ttrl MB/s':>10} {'ratio':>7}")
        if args.repeats > 1:
            print(f"(medians of {args.repeats} measurements)")
        measures = {}  # (vocabulary, mode) -> ([HF MB/s per repeat], [ttrl MB/s per repeat])
        for name, path in vocabularies:
            modes = ["1 thread, cold", "1 thread, warm", f"{args.threads} threads, cold", f"{args.threads} threads, warm"]
            rates = {mode: ([], []) for mode in modes}
            loads = []
            for _ in range(args.repeats):
                tokens, cold, warm, batch_cold, batch_warm = hf_times(path, docs, args.repeat)
                ours = {}
                for threads in (1, args.threads):
                    out = subprocess.run([args.bench, path, docs_path, "--threads", str(threads), "--repeat",
                                          str(args.repeat)], check=True, capture_output=True, text=True).stdout
                    ours[threads] = json.loads(out)
                if ours[1]["tokens"] != tokens:
                    print(f"  token counts differ: HF {tokens}, ttrl {ours[1]['tokens']}")
                seconds = [(cold, ours[1]["cold_seconds"]), (warm, ours[1]["warm_seconds"]),
                           (batch_cold, ours[args.threads]["cold_seconds"]),
                           (batch_warm, ours[args.threads]["warm_seconds"])]
                for mode, (hf_seconds, our_seconds) in zip(modes, seconds):
                    rates[mode][0].append(megabytes / hf_seconds)
                    rates[mode][1].append(megabytes / our_seconds)
                loads.append(ours[1]["load_seconds"])
            for mode in modes:
                hf_rate, our_rate = statistics.median(rates[mode][0]), statistics.median(rates[mode][1])
                print(f"{name:10} {mode:22} {hf_rate:9.2f} {our_rate:10.2f} {our_rate / hf_rate:6.2f}x")
                measures[(name, mode)] = rates[mode]
            print(f"{name:10} load: ttrl {statistics.median(loads):.2f} s; tokens {tokens}")

    if args.json:
        workload = {"megabytes": round(megabytes, 3), "documents": len(docs), "mb_requested": args.mb,
                    "warm_passes": args.repeat, "threads": args.threads, "corpus_seed": 1,
                    "add_special_tokens": False}
        rows = []
        for threads, mode, reference in ((1, "1 thread, cold", "HF tokenizers `encode`"),
                                         (args.threads, f"{args.threads} threads, cold", "HF tokenizers `encode_batch`")):
            hf, ours = measures[("qwen2.5", mode)]
            what = f"encode throughput, Qwen2.5 vocabulary, {mode} ({megabytes:.1f} MB of mixed text)"
            rows.append(bench_record.row(f"tokenizer-qwen2.5-{threads}t-cold", what, "MB/s", "higher", ours, hf,
                                         reference, threads=threads))
        details = {f"{name} / {mode}": {"hf_mb_s": statistics.median(hf), "ttrl_mb_s": statistics.median(ours),
                                        "hf_mb_s_repeats": hf, "ttrl_mb_s_repeats": ours}
                   for (name, mode), (hf, ours) in measures.items()}
        bench_record.write(args.json, bench_record.record(meta, "tokenizer", "bench/bench_tokenizer.py", workload, rows,
                                                          args.repeats, details))
    return 0


if __name__ == "__main__":
    sys.exit(main())
