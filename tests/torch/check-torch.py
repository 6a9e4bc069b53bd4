#!/usr/bin/env python3
# The exported PyTorch script against the command line: for each case,
# `factorscope-cli export-torch ARGS -o CASE.py` and `factorscope-cli run
# ARGS --json --threads 1`, then the script's final cost must equal run's
# to 1e-9 relative (and its iteration count, and its held-out MSE where
# cells are held out). The scripts are imported into this one process
# (importing torch takes about 2 s); one also runs standalone, as a user
# would. Then the CLI's errors: no -o, a folder that cannot be written.
#
# Usage: check-torch.py   (FS_CLI and FS_TEST_DATA from tests/meson.build)
# Exit 77 (skip) without PyTorch, except under CI, where that fails.

import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile

CLI = os.environ["FS_CLI"]
DATA = os.environ["FS_TEST_DATA"]
AIRQUALITY = os.path.join(DATA, "csv", "R_airquality_NA.csv")   # 44 missing cells
LOWRANK = ["--example", "lowrank"]
RULES = ["plain", "normalized", "momentum", "adam"]
ITERS = ["--iters", "300"]
TOLERANCE = 1e-9

# name: the options that run and export-torch share.
CASES = {}
for rule in RULES:
    CASES["lowrank-" + rule] = LOWRANK + ITERS + ["--rule", rule]
    CASES["missing-" + rule] = [AIRQUALITY, "--rank", "2"] + ITERS + ["--rule", rule]
CASES.update({
    "l2-momentum": LOWRANK + ITERS + ["--rule", "momentum", "--l2-w", "0.5", "--l2-h", "0.25"],
    "nonneg-l1-prox": LOWRANK + ITERS + ["--nonneg", "--l1-w", "0.2", "--l1-h", "0.1"],
    "nonneg-l1-subgradient": LOWRANK + ITERS + ["--nonneg", "--l1-w", "0.2", "--l1-h", "0.1",
                                                "--l1-mode", "subgradient"],
    "adam-l1-prox": [AIRQUALITY, "--rank", "2", "--rule", "adam", "--l1-w", "1", "--seed", "3"]
                    + ITERS,
    "holdout": LOWRANK + ITERS + ["--holdout", "0.2", "--holdout-seed", "7", "--rule", "adam"],
    "holdout-missing": [AIRQUALITY, "--rank", "2", "--holdout", "0.1"] + ITERS,
    "uniform-init": LOWRANK + ITERS + ["--init", "uniform", "--lr", "0.002", "--seed", "11"],
    # Stops by the tolerance, at the same iteration on both sides.
    "tolerance": LOWRANK + ["--iters", "5000", "--tol", "1e-3", "--rule", "momentum"],
    # Diverges (the cost grows a millionfold), at the same iteration.
    "diverges": LOWRANK + ITERS + ["--lr", "0.5"],
})

failures = []


def check(ok, message):
    print(("ok: " if ok else "FAIL: ") + message)
    if not ok:
        failures.append(message)


def cli(*args):
    return subprocess.run([CLI] + list(args), capture_output=True, text=True)


def cli_run(args):
    done = cli("run", *args, "--json", "--threads", "1")
    if done.returncode not in (0, 2):   # 2: the run diverged
        raise RuntimeError("run %s failed: %s" % (args, done.stderr))
    return json.loads(done.stdout)


def export(args, script):
    done = cli("export-torch", *args, "-o", script)
    if done.returncode != 0:
        raise RuntimeError("export-torch %s failed: %s" % (args, done.stderr))


def run_imported(script):
    name = os.path.splitext(os.path.basename(script))[0].replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with contextlib.redirect_stdout(io.StringIO()):
        return module.main([])


def relative(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def check_case(tmp, name, args):
    script = os.path.join(tmp, name + ".py")
    export(args, script)
    expected = cli_run(args)
    got = run_imported(script)
    error = relative(got["final_cost"], expected["final_cost"])
    check(error <= TOLERANCE,
          "%s: final cost %.17g, run's %.17g (relative difference %.2g)"
          % (name, got["final_cost"], expected["final_cost"], error))
    check(got["iterations"] == expected["iterations"],
          "%s: %d iterations, run's %d" % (name, got["iterations"], expected["iterations"]))
    check(got["diverged"] == (expected["stopped"] == "diverged"),
          "%s: stopped as run did (%s): %s" % (name, expected["stopped"], got["stopped"]))
    if expected["holdout"] is not None:
        error = relative(got["holdout_mse"], expected["holdout_mse"])
        check(error <= TOLERANCE, "%s: held-out MSE %.17g, run's %.17g"
              % (name, got["holdout_mse"], expected["holdout_mse"]))


def check_standalone(tmp):
    """Once as a user runs it: its own process, its own output, W and H written."""
    import numpy as np

    args = CASES["missing-adam"]
    script = os.path.join(tmp, "standalone.py")
    export(args, script)
    expected = cli_run(args)
    prefix = os.path.join(tmp, "result")
    done = subprocess.run([sys.executable, script, "--out-prefix", prefix, "--device", "cpu"],
                          capture_output=True, text=True)
    check(done.returncode == 0, "standalone: exit status %d %s" % (done.returncode, done.stderr))
    lines = [l for l in done.stdout.splitlines() if l.startswith("final cost: ")]
    check(len(lines) == 1, "standalone: one final cost line")
    if lines:
        cost = float(lines[0][len("final cost: "):])
        check(relative(cost, expected["final_cost"]) <= TOLERANCE,
              "standalone: final cost %r, run's %r" % (cost, expected["final_cost"]))
    check("iteration 0: loss " in done.stdout, "standalone: prints the loss")
    W, H = np.load(prefix + "-W.npy"), np.load(prefix + "-H.npy")
    check(W.shape == (153, 2) and H.shape == (2, 6),
          "standalone: W %s and H %s written" % (W.shape, H.shape))


def check_errors(tmp):
    done = cli("export-torch", *LOWRANK)
    check(done.returncode == 1 and "-o" in done.stderr,
          "no -o: status %d, %r" % (done.returncode, done.stderr))
    # A folder under a file cannot be made or written, even by root.
    blocker = os.path.join(tmp, "a-file")
    open(blocker, "w").close()
    target = os.path.join(blocker, "run.py")
    done = cli("export-torch", *LOWRANK, "-o", target)
    check(done.returncode == 1 and target in done.stderr,
          "unwritable: status %d, %r names %s" % (done.returncode, done.stderr, target))
    check(os.listdir(tmp) == ["a-file"] or sorted(os.listdir(tmp)) == ["a-file"],
          "unwritable: nothing written (%s)" % os.listdir(tmp))


def main():
    try:
        import torch  # noqa: F401
    except ImportError as e:
        print("PyTorch is missing (%s): install python3-torch" % e)
        return 1 if os.environ.get("CI") else 77

    with tempfile.TemporaryDirectory() as tmp:
        errors = os.path.join(tmp, "errors")
        os.mkdir(errors)
        check_errors(errors)
        for name, args in CASES.items():
            check_case(tmp, name, args)
        check_standalone(tmp)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
