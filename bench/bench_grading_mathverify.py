"""Math-Verify (PyPI math-verify) on the same grader-corpus pairs as bench_grading.cpp: pairs graded per second.

parse() both sides (answer-only golds are wrapped in $...$ so that Math-Verify reads them as LaTeX), then verify();
choice cases use StringExtractionConfig. Prints one "RESULT key=value" line. Needs math-verify[antlr4_13_2].
"""
import json
import sys
import time

from math_verify import LatexExtractionConfig, ExprExtractionConfig, StringExtractionConfig, parse, verify


def load_pairs(path):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            case = json.loads(line)
            if case["kind"] != "equal" or not isinstance(case.get("pred"), str):
                continue
            pairs.append(case)
    return pairs


def grade(case):
    choice = case.get("category") == "mc_letter"
    config = [StringExtractionConfig()] if choice else [LatexExtractionConfig(), ExprExtractionConfig()]
    raw = case.get("input_form", "raw_text") == "raw_text"
    pred, gold = case["pred"], case["gold"]
    if not raw and not choice:
        pred, gold = f"${pred}$", f"${gold}$"
    return verify(parse(gold, config, parsing_timeout=None), parse(pred, config, parsing_timeout=None), timeout_seconds=None)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures/grader/cases.jsonl"
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    pairs = load_pairs(path)
    done, start = 0, time.perf_counter()
    while True:
        for case in pairs:
            grade(case)
        done += len(pairs)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    print(f"Math-Verify: {done / elapsed:.0f} pairs/s ({1e6 * elapsed / done:.0f} us each)")
    print(f"RESULT grades_per_second={done / elapsed:.1f}")


if __name__ == "__main__":
    main()
