#!/usr/bin/python3
"""The app's benchmark mode, end to end: `factorscope --benchmark 2
--benchmark-keep 2` under its own X display must solve the 2000 x 2000
rank-50 problem with the window shown, draw frames, keep two runs, and print
one JSON object with sane figures, the memory of the kept runs and of the
checkpoints within the budget (README "Tuning by eye")."""
import json
import math
import os
import subprocess
import sys

app = sys.argv[1]
with_display = os.path.join(os.path.dirname(os.path.abspath(__file__)), "with-display.sh")
try:
    out = subprocess.run(
        [with_display, "1920x1080", app, "--benchmark", "2", "--benchmark-keep", "2"],
        check=True, capture_output=True, text=True, timeout=170).stdout
except subprocess.CalledProcessError as e:
    sys.exit(f"factorscope --benchmark failed with {e.returncode}:\n{e.stderr}")

def not_json(constant):
    sys.exit(f"check-benchmark: {constant} is not JSON")


# Strict JSON: Python's parser would take NaN and Infinity.
result = json.loads(out.strip().splitlines()[-1], parse_constant=not_json)
print(json.dumps(result, indent=1))


def check(condition, what):
    if not condition:
        sys.exit(f"check-benchmark: {what} ({result})")


check(result["peer"] == "factorscope-window", "names itself")
check((result["n"], result["m"], result["r"]) == (2000, 2000, 50), "solves the benchmark shape")
check(result["iterations"] > 0 and result["iterations_per_second"] > 0, "the solver ran")
check(abs(result["seconds"] - 2) < 1, "measured for the time asked")
check(result["frames"] >= 10, "the window drew frames")
for key in ("frame_ms_median", "frame_ms_p95", "frame_ms_max", "frame_interval_ms_median"):
    check(math.isfinite(result[key]) and result[key] >= 0, f"{key} is a time")
check(result["frame_ms_median"] <= result["frame_ms_p95"] <= result["frame_ms_max"], "percentiles in order")
check(0 <= result["frames_under_16ms"] <= 1, "a share of frames")
check(0 <= result["ui_thread_cpu_share"] <= 1.5, "a share of a core")
check(math.isfinite(result["cost"]) and 0 < result["cost"] < result["initial_cost"],
      "the cost went down")
check(result["kept_runs"] == 2, "kept two runs")
# Two kept runs of 2000 x 2000 rank 50: W and H, 1.6 MB each, and their logs.
check(1.5 < result["kept_runs_mib"] < 8, "the kept runs hold their W, H and logs")
check(result["checkpoints"] >= 3, "checkpoints at 0, 1, 2, ... and the last")
check(result["checkpoints_mib"] <= 64 + 2 * 1.6, "checkpoints within their budget")
check(result["kept_runs_mib"] + result["checkpoints_mib"] <= 256, "kept runs and checkpoints within 256 MiB")
# AddressSanitizer keeps freed blocks in a quarantine of up to 256 MiB
# (quarantine_size_mb) and adds shadow memory and redzones: there the
# budget allows for them.
asan_allowance = 256 + 100 if os.environ.get("FS_SANITIZED") == "1" else 0
check(result["peak_rss_mib"] < result["x_mib"] + 256 + 200 + asan_allowance,
      "peak memory near X + 256 MiB")
