"""Reads the event files ttrl's TensorBoardSink writes with TensorBoard's own reader (EventAccumulator) and checks
tags, steps and values, including a resumed run: the second run's session_log START must make the reader drop the
steps the first run logged after the resume point. Also checks the JSONL file written next to them.

usage: tensorboard_reader_check.py TENSORBOARD_WRITE_TOOL"""
import json, math, os, subprocess, sys, tempfile, time

try:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
except ImportError:
    print("skip: tensorboard is not importable"); sys.exit(77)

tool = sys.argv[1]


def expected(tag, step, offset):
    """The values tensorboard_write_tool writes (see its header comment)."""
    if tag == "reward/mean": return offset + 0.1 * step
    if tag == "actor/kl": return offset + 0.001 * step
    if tag == "lr": return 5e-7
    return math.nan if step == 2 else step / 8.0


def close(a, b):  # TensorBoard stores float32
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


tags = {"reward/mean", "actor/kl", "lr", "ttrl/label_accuracy"}
with tempfile.TemporaryDirectory() as out:
    start = time.time()
    # First run logs steps 1..5; it is then resumed from the checkpoint at step 3 and logs 4..6 with other values.
    subprocess.run([tool, out, "1", "5", "0"], check=True)
    subprocess.run([tool, out, "4", "6", "100", "3"], check=True)
    offset_of = lambda step: 0.0 if step <= 3 else 100.0

    tb_dir = os.path.join(out, "tensorboard")
    files = os.listdir(tb_dir)
    assert files and all(f.startswith("events.out.tfevents.") for f in files), files

    acc = EventAccumulator(tb_dir, size_guidance={"scalars": 0})
    acc.Reload()
    assert set(acc.Tags()["scalars"]) == tags, acc.Tags()
    assert acc.file_version == 2.0, acc.file_version
    for tag in sorted(tags):
        events = acc.Scalars(tag)
        steps = [e.step for e in events]
        assert steps == [1, 2, 3, 4, 5, 6], (tag, steps)
        for e in events:
            want = expected(tag, e.step, offset_of(e.step))
            assert close(e.value, want), (tag, e.step, e.value, want)
            assert start - 1 <= e.wall_time <= time.time() + 1, (tag, e.wall_time)

    lines = [json.loads(line) for line in open(os.path.join(out, "metrics.jsonl"))]
    assert [l["step"] for l in lines] == [1, 2, 3, 4, 5, 6], lines
    for l in lines:
        assert set(l) == tags | {"step", "time"}, l
        for tag in tags:
            want = expected(tag, l["step"], offset_of(l["step"]))
            if math.isnan(want):
                assert l[tag] is None, l
            else:
                assert l[tag] == want, (tag, l)  # JSON keeps the double exactly

print(f"ok: {len(tags)} tags x 6 steps read back by TensorBoard's EventAccumulator, JSONL consistent")
