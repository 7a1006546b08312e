#!/usr/bin/env python3
"""scripts/bench_table.py turns benchmark records into the README table: made-up records, a temporary README, no
benchmark runs and nothing timing-dependent. Checks the rows (order, medians, ratios and their direction, units, the
reproduce command without --json), the machine/date line, that only the text between the markers changes, and the
errors. Also the pieces of bench/bench_record.py the records come from.

    .venv/bin/python tests/bench/test_bench_table.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "bench_table.py")
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench_record  # noqa: E402

BEGIN, END = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"
EPYC = {"cpu_model": "AMD EPYC 7B13", "nproc": 2, "avx512f": False, "threads": 2, "torch": "2.5.1",
        "loadavg_start": [0.4, 0.5, 0.6]}
XEON = {"cpu_model": "Intel(R) Xeon(R) Platinum 8488C", "nproc": 16, "avx512f": True, "threads": 2, "torch": "2.6.0",
        "loadavg_start": [1.25, 1.0, 1.0]}

README = f"""# ttrl

Intro text | with a pipe, kept as is.

## Benchmarks

Some prose before the table that another person edits.

{BEGIN}
| what | ttrl | reference | ratio |
|---|---|---|---|
| hand-copied | 245 tok/s | transformers 36 tok/s | 6.8x |
{END}

## Using it

More text.
"""


def rec(benchmark, script, command, rows, machine=EPYC, date="2025-03-01T10:00:00Z", commit="abc1234", dirty=False):
    return {"schema": 1, "benchmark": benchmark, "script": script, "command": command, "argv": command.split()[1:],
            "date_utc": date, "git_commit": commit, "git_dirty": dirty, "machine": dict(machine),
            "workload": {}, "repeats": 3, "rows": rows, "details": {}}


def row(id, what, unit, better, ttrl, reference, reference_name, suffix="x"):
    # Written out by hand (not with bench_record.row) so that the test checks the table against the format itself;
    # the recorded medians and ratio are deliberately stale: the table must use the per-run values.
    return {"id": id, "what": what, "unit": unit, "better": better, "ttrl": -1.0, "ttrl_repeats": ttrl,
            "reference": -1.0, "reference_repeats": reference, "reference_name": reference_name, "ratio": -1.0,
            "ratio_suffix": suffix, "repeats": min(len(ttrl), len(reference))}


RECORDS = {
    # File names sort grpo_update < model_load < tokenizer: the table must still follow the benchmarks' order.
    "grpo_update": rec("grpo_update", "bench/bench_grpo_update.py",
                       ".venv/bin/python bench/bench_grpo_update.py --repeats 3 --json bench/results/grpo_update.json",
                       [row("grpo-update", "one GRPO update (50M, 32 x 256)", "s", "lower", [15.0, 15.2, 99.0, 15.0],
                            [15.8, 15.9, 15.7, 15.8], "PyTorch eager"),
                        row("logprob-peak-memory", "peak memory, 8192 x 32000", "MiB", "lower", [250.0, 254.0, 260.0],
                            [5036.0, 5030.0, 5040.0], "full-vocabulary version", "x less")],
                       date="2025-03-02T23:59:00Z"),
    "model_load": rec("model_load", "bench/bench_model_load.py",
                      "OMP_NUM_THREADS=2 .venv/bin/python bench/bench_model_load.py --tool build/bench/bench_model_load "
                      "--repeats 3 --json=bench/results/model_load.json",
                      [row("model-load-forward", "load + first forward", "s", "lower", [5.1, 4.9, 4.8],
                           [6.4, 6.6, 6.3], "transformers")], dirty=True),
    "tokenizer": rec("tokenizer", "bench/bench_tokenizer.py",
                     ".venv/bin/python bench/bench_tokenizer.py --bench build/bin/bench_tokenizer --repeats 3 "
                     "--json bench/results/tokenizer.json",
                     [row("t1", "encode, 1 thread, cold", "MB/s", "higher", [4.1, 4.5, 4.3], [0.7, 0.71, 0.72],
                          "HF tokenizers `encode`"),
                      row("t2", "encode, 2 threads, cold", "MB/s", "higher", [9.0, 8.0, 8.5], [1.5, 1.4, 1.45],
                          "HF tokenizers `encode_batch`")]),
    "generate": rec("generate", "bench/bench_generate.py",
                    ".venv/bin/python bench/bench_generate.py --repeats 3 --json bench/results/generate.json",
                    [row("generate", "TTRL-shaped sampling (4 prompts x 16 samples | pipe)", "tok/s", "higher",
                         [250.0, 240.0, 245.0], [36.0, 40.0, 30.0], "transformers `generate()`")]),
}


class TableTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bench_table_test.")
        self.results = os.path.join(self.tmp, "results")
        os.makedirs(self.results)
        self.readme = os.path.join(self.tmp, "README.md")
        with open(self.readme, "w", encoding="utf-8") as f:
            f.write(README)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write_records(self, records):
        for name, r in records.items():
            with open(os.path.join(self.results, f"{name}.json"), "w", encoding="utf-8") as f:
                json.dump(r, f)

    def table(self, *extra, readme=None):
        return subprocess.run([sys.executable, SCRIPT, "table", "--results", self.results, "--readme",
                               readme or self.readme, *extra], capture_output=True, text=True)

    def read(self, path=None):
        with open(path or self.readme, encoding="utf-8", newline="") as f:
            return f.read()

    def between(self, text):
        return text[text.index(BEGIN) + len(BEGIN):text.index(END)]

    def test_rows_medians_ratios_and_machine_line(self):
        self.write_records(RECORDS)
        result = self.table()
        self.assertEqual(result.returncode, 0, result.stderr)
        text = self.read()
        # Only the lines between the markers change.
        self.assertEqual(text[:text.index(BEGIN)], README[:README.index(BEGIN)])
        self.assertEqual(text[text.index(END):], README[README.index(END):])
        lines = self.between(text).split("\n")
        self.assertEqual(lines[0], "")
        self.assertEqual(lines[1], "| what | ttrl | reference | ratio | how to reproduce |")
        self.assertEqual(lines[2], "|---|---|---|---|---|")
        rows = lines[3:9]
        self.assertEqual(rows, [
            # generate: medians 245 and 36 (not the middle-by-position 40), ratio ttrl/reference 6.81
            "| TTRL-shaped sampling (4 prompts x 16 samples \\| pipe) | 245 tok/s | transformers `generate()` 36 tok/s "
            "| 6.81x | `.venv/bin/python bench/bench_generate.py --repeats 3` |",
            # tokenizer: medians 4.3 / 0.71 and 8.5 / 1.45
            "| encode, 1 thread, cold | 4.3 MB/s | HF tokenizers `encode` 0.71 MB/s | 6.06x "
            "| `.venv/bin/python bench/bench_tokenizer.py --bench build/bin/bench_tokenizer --repeats 3` |",
            "| encode, 2 threads, cold | 8.5 MB/s | HF tokenizers `encode_batch` 1.45 MB/s | 5.86x "
            "| `.venv/bin/python bench/bench_tokenizer.py --bench build/bin/bench_tokenizer --repeats 3` |",
            # model load: seconds, lower is better, ratio reference/ttrl = 6.4 / 4.9; --json=PATH dropped too
            "| load + first forward | 4.9 s | transformers 6.4 s | 1.31x "
            "| `OMP_NUM_THREADS=2 .venv/bin/python bench/bench_model_load.py --tool build/bench/bench_model_load "
            "--repeats 3` |",
            # GRPO: 4 runs, median of the middle two (15.1, an outlier of 99 s ignored) vs 15.8
            "| one GRPO update (50M, 32 x 256) | 15.1 s | PyTorch eager 15.8 s | 1.05x "
            "| `.venv/bin/python bench/bench_grpo_update.py --repeats 3` |",
            "| peak memory, 8192 x 32000 | 254 MiB | full-vocabulary version 5036 MiB | 19.8x less "
            "| `.venv/bin/python bench/bench_grpo_update.py --repeats 3` |",
        ])
        self.assertEqual(lines[9], "")
        provenance = "\n".join(lines[10:])
        self.assertIn("Each figure is the median of 3 runs (", provenance)
        self.assertIn("4 runs (grpo_update)", provenance)
        self.assertIn("Measured on AMD EPYC 7B13 (2 CPUs, no AVX-512, torch 2.5.1), 2025-03-01, 2025-03-02 (UTC), "
                      "commit abc1234, abc1234-dirty, 1-min load average 0.4 at the start.", provenance)
        self.assertIn("scripts/bench_table.py run [--only NAME]", provenance)
        self.assertTrue(text.count(BEGIN) == 1 and text.count(END) == 1)

        # Same records again: nothing to do; --check agrees.
        self.assertIn("up to date", self.table().stdout)
        self.assertEqual(self.read(), text)
        self.assertEqual(self.table("--check").returncode, 0)

        # One record from another machine: the line names each machine and which benchmarks ran there.
        changed = dict(RECORDS)
        changed["model_load"] = rec("model_load", "bench/bench_model_load.py",
                                    ".venv/bin/python bench/bench_model_load.py --repeats 3",
                                    [row("model-load-forward", "load + first forward", "s", "lower", [2.0, 2.2, 2.1],
                                         [3.0, 3.2, 3.1], "transformers")],
                                    machine=XEON, date="2025-04-05T01:02:03Z", commit="def5678")
        self.write_records(changed)
        check = self.table("--check")
        self.assertEqual(check.returncode, 1)
        self.assertEqual(self.read(), text, "--check must not write")
        self.assertEqual(self.table().returncode, 0)
        new = self.read()
        self.assertIn("| load + first forward | 2.1 s | transformers 3.1 s | 1.48x "
                      "| `.venv/bin/python bench/bench_model_load.py --repeats 3` |", new)
        self.assertIn("Measured on `generate`, `tokenizer`, `grpo_update`: AMD EPYC 7B13 (2 CPUs, no AVX-512, "
                      "torch 2.5.1), 2025-03-01, 2025-03-02 (UTC), commit abc1234, 1-min load average 0.4 at the start; "
                      "`model_load`: Intel(R) Xeon(R) Platinum 8488C (16 CPUs, AVX-512, torch 2.6.0), 2025-04-05 (UTC), "
                      "commit def5678, 1-min load average 1.2 at the start.", new)
        self.assertEqual(new[:new.index(BEGIN)], README[:README.index(BEGIN)])
        self.assertEqual(new[new.index(END):], README[README.index(END):])

    def test_print_writes_nothing_and_warns_about_few_runs(self):
        few = {"generate": rec("generate", "bench/bench_generate.py", ".venv/bin/python bench/bench_generate.py",
                               [row("generate", "sampling", "tok/s", "higher", [100.0, 110.0], [50.0, 50.0], "hf")])}
        self.write_records(few)
        result = self.table("--print")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.read(), README)
        self.assertIn("| sampling | 105 tok/s | hf 50 tok/s | 2.1x | `.venv/bin/python bench/bench_generate.py` |",
                      result.stdout)
        self.assertIn("median of 2 runs", result.stdout)
        self.assertIn("has 2 run(s), fewer than 3", result.stderr)

    def test_markers_missing_or_twice_leave_the_readme_alone(self):
        self.write_records(RECORDS)
        for text in (README.replace(END, ""), README.replace(BEGIN, BEGIN + "\n" + BEGIN),
                     README.replace(BEGIN, "@@").replace(END, BEGIN).replace("@@", END)):
            with open(self.readme, "w", encoding="utf-8") as f:
                f.write(text)
            result = self.table()
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("bench-table", result.stderr)
            self.assertEqual(self.read(), text)

    def test_no_records_is_an_error(self):
        result = self.table()
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(self.read(), README)

    def test_crlf_readme_keeps_its_line_endings(self):
        self.write_records(RECORDS)
        crlf = README.replace("\n", "\r\n")
        with open(self.readme, "w", encoding="utf-8", newline="") as f:
            f.write(crlf)
        self.assertEqual(self.table().returncode, 0)
        text = self.read()
        self.assertNotIn("\n", text.replace("\r\n", ""))
        self.assertEqual(text[:text.index(BEGIN)], crlf[:crlf.index(BEGIN)])
        self.assertEqual(text[text.index(END):], crlf[crlf.index(END):])

    def test_project_readme_has_the_markers_and_only_they_change(self):
        real = os.path.join(ROOT, "README.md")
        copy = os.path.join(self.tmp, "README.project.md")
        shutil.copyfile(real, copy)
        original = self.read(copy)
        self.assertEqual(original.count(BEGIN), 1)
        self.assertEqual(original.count(END), 1)
        self.write_records(RECORDS)
        self.assertEqual(self.table(readme=copy).returncode, 0)
        text = self.read(copy)
        self.assertEqual(text[:text.index(BEGIN)], original[:original.index(BEGIN)])
        self.assertEqual(text[text.index(END):], original[original.index(END):])


class RunTest(unittest.TestCase):
    def run_script(self, *args):
        return subprocess.run([sys.executable, SCRIPT, "run", "--dry-run", *args], capture_output=True, text=True,
                              cwd=tempfile.gettempdir())

    def test_dry_run_commands(self):
        result = self.run_script()
        self.assertEqual(result.returncode, 0, result.stderr)
        commands = [l for l in result.stdout.splitlines() if " bench/bench_" in l]
        self.assertEqual([c.split()[1] for c in commands],
                         ["bench/bench_generate.py", "bench/bench_tokenizer.py", "bench/bench_model_load.py",
                          "bench/bench_grpo_update.py"])
        for c in commands:
            name = c.split()[1][len("bench/bench_"):-len(".py")]
            self.assertTrue(c.endswith(f" --repeats 3 --json bench/results/{name}.json"), c)
        one = self.run_script("--only", "tokenizer", "--repeats", "5", "--results", "/tmp/x", "--", "--mb", "0.1")
        self.assertEqual(one.returncode, 0, one.stderr)
        self.assertIn("bench/bench_tokenizer.py --bench build/bin/bench_tokenizer --repeats 5 --json /tmp/x/tokenizer.json "
                      "--mb 0.1", one.stdout)
        self.assertNotIn("bench_generate", one.stdout)
        self.assertNotEqual(self.run_script("--only", "nope").returncode, 0)
        self.assertNotEqual(self.run_script("--", "--mb", "1").returncode, 0)  # extra arguments need one --only


class RecordTest(unittest.TestCase):
    def test_row_medians_and_ratio_direction(self):
        r = bench_record.row("x", "what", "tok/s", "higher", [3, 1, 2], [1, 1, 0.5], "ref")
        self.assertEqual((r["ttrl"], r["reference"], r["ratio"], r["repeats"]), (2.0, 1.0, 2.0, 3))
        self.assertIn("ttrl / reference", r["ratio_definition"])
        r = bench_record.row("x", "what", "s", "lower", [2, 4, 2], [8, 8, 9], "ref", ratio_suffix="x less")
        self.assertEqual((r["ttrl"], r["reference"], r["ratio"], r["ratio_suffix"]), (2.0, 8.0, 4.0, "x less"))
        self.assertIn("reference / ttrl", r["ratio_definition"])

    def test_cpuinfo(self):
        with tempfile.NamedTemporaryFile("w", suffix=".cpuinfo", delete=False) as f:
            f.write("processor\t: 0\nmodel name\t: Test CPU @ 2GHz\nflags\t\t: fpu sse2 avx2 avx512f avx512bw\n\n"
                    "processor\t: 1\nmodel name\t: Other\nflags\t\t: fpu\n")
        try:
            self.assertEqual(bench_record.cpu_info(f.name), ("Test CPU @ 2GHz", True))
            with open(f.name, "w") as g:
                g.write("model name\t: X\nflags\t\t: avx512bw avx2\n")
            self.assertEqual(bench_record.cpu_info(f.name), ("X", False))
        finally:
            os.unlink(f.name)
        self.assertEqual(bench_record.cpu_info("/nonexistent/cpuinfo"), ("unknown", False))

    def test_record_metadata(self):
        meta = bench_record.begin(threads=3)
        r = bench_record.record(meta, "generate", "bench/bench_generate.py", {"n": 1}, [], 3)
        for key in ("command", "argv", "date_utc", "git_commit", "git_dirty", "machine", "workload", "rows"):
            self.assertIn(key, r)
        self.assertRegex(r["date_utc"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(r["machine"]["threads"], 3)
        for key in ("cpu_model", "nproc", "avx512f", "torch"):
            self.assertIn(key, r["machine"])
        json.dumps(r)  # serialisable
        command = bench_record.command_line([os.path.join(ROOT, "bench", "bench_generate.py"), "--n", "a b"])
        self.assertIn("bench/bench_generate.py --n 'a b'", command)
        self.assertNotIn(ROOT + "/bench", command)


if __name__ == "__main__":
    unittest.main(verbosity=1)
