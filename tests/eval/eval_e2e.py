"""`ttrl eval` of a tiny random model on a few records of each fixture benchmark: the numbers are near zero, but
every field must be present and consistent (maj@k counts exactly the problems whose label is correct, avg@k is the
mean of the per-sample verdicts, GPQA is graded as multiple choice), and bad input must fail with a clear message."""
import json, os, subprocess, sys, tempfile

ttrl, source_dir = sys.argv[1], sys.argv[2]
bench = os.path.join(source_dir, "..", "shared", "fixtures", "benchmarks")
if not os.path.isdir(bench):
    print(f"skip: {bench} is absent"); sys.exit(77)
files = ["AIME-TTT.json", "AMC-TTT.json", "MATH-L2-TTT.json", "GPQA-TTT.json"]
K = 4
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "results.json")
    # The smoke model reads bytes: give it room for the longest fixture prompts (GPQA: ~2 kB).
    cmd = [ttrl, "--log-level", "warn", "eval", "-c", os.path.join(source_dir, "configs", "smoke.yaml"),
           "--set", "model.random.max_position_embeddings=8192", "--set", "data.max_prompt_tokens=8000",
           "--k", str(K), "--max-new-tokens", "16", "--limit", "3", "--output", out]
    for f in files:
        cmd += ["--data", os.path.join(bench, f)]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=source_dir)
    assert r.returncode == 0, r.stderr
    assert f"| dataset | problems | avg@{K} | maj@{K} | pass@{K}" in r.stdout, r.stdout
    res = json.load(open(out))
    assert [d["name"] for d in res["datasets"]] == [f[:-5] for f in files]
    for d in res["datasets"]:
        s = d["summary"]
        assert d["task"] == ("choice" if d["name"].startswith("GPQA") else "math"), d["task"]
        assert s["problems"] == 3 and len(d["problems"]) == 3
        for p in d["problems"]:
            assert len(p["answers"]) == K and len(p["correct"]) == K and len(p["response_tokens"]) == K
            assert all(0 < t <= 16 for t in p["response_tokens"])
            assert p["label_correct"] in (True, False) and (p["label"] is not None or not p["label_correct"])
            assert not any(c and a is None for a, c in zip(p["answers"], p["correct"])), "a missing answer graded correct"
            if p["label"] is None:
                assert all(a is None for a in p["answers"])
        avg = 100 * sum(sum(p["correct"]) / K for p in d["problems"]) / 3
        maj = 100 * sum(p["label_correct"] for p in d["problems"]) / 3
        assert abs(s[f"avg@{K}"] - avg) < 1e-9 and abs(s[f"maj@{K}"] - maj) < 1e-9, (s, avg, maj)
        assert s[f"pass@{K}"] >= s[f"avg@{K}"] - 1e-9
        assert 0 <= s["no_answer_percent"] <= 100
    levels = res["datasets"][2]["levels"]
    assert list(levels) == ["2"], levels  # MATH-L2 records carry level 2 (from the file name)
    print("results.json consistent for", ", ".join(files))

    # Bad input: a record without an answer, an empty file, a missing file.
    bad = os.path.join(tmp, "noanswer.jsonl")
    open(bad, "w").write('{"prompt": "1+1?"}\n')
    empty = os.path.join(tmp, "empty.jsonl")
    open(empty, "w").write("")
    for path, expected in [(bad, "record 0"), (empty, "empty.jsonl"), (os.path.join(tmp, "nope.json"), "nope.json")]:
        r = subprocess.run([ttrl, "eval", "-c", os.path.join(source_dir, "configs", "smoke.yaml"), "--data", path,
                            "--k", "2", "--max-new-tokens", "4", "--output", out], capture_output=True, text=True, cwd=source_dir)
        assert r.returncode != 0 and expected in r.stderr, (path, r.stderr)
    print("bad inputs rejected with the file and record named")
print("ok")
