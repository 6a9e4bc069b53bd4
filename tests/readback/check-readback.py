#!/usr/bin/python3
"""The files of `factorscope-cli run --out DIR --npy`, read back by the
tools people read them with: every CSV by pandas.read_csv (f, index_col=0)
or by R's read.csv (f, row.names = 1) must give the numbers of the .npy file
beside it bit for bit, the input's row labels as the index and its column
labels (through make.names in R) as the columns.

pandas reads numbers bit for bit with float_precision="round_trip" (its
default parser is a few units in the last place off on some numbers, which
no way of writing them avoids); R's read.csv needs nothing more.

Usage: check-readback.py pandas|r CLI DATA_DIR
Under CI (CI set and not empty) a missing pandas or Rscript fails the
test; elsewhere it skips it (exit 77).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
LABELLED = "csv/R_USArrests.csv"  # 50 states x 4 crimes, both labelled


def missing(what):
    if os.environ.get("CI"):
        print(f"FAIL: {what} is missing, and CI must run this test", file=sys.stderr)
        sys.exit(1)
    print(f"SKIP: {what} is missing", file=sys.stderr)
    sys.exit(SKIP)


def run_out(cli, data, out):
    """A real run on a labelled matrix, with the .npy files beside the CSVs."""
    subprocess.run([cli, "run", os.path.join(data, LABELLED), "--rank", "2", "--iters", "300",
                    "--scaling", "standardize", "--out", out, "--npy"],
                   check=True, stdout=subprocess.DEVNULL)


def input_labels(data):
    """The input's row and column labels, as Python's csv module reads them."""
    import csv
    with open(os.path.join(data, LABELLED), newline="") as f:
        rows = list(csv.reader(f))
    return [r[0] for r in rows[1:]], rows[0][1:]


def expected_labels(data, rank):
    """Each result's index and columns, as fs-results.c documents them."""
    rows, cols = input_labels(data)
    components = [f"c{k + 1}" for k in range(rank)]
    return {
        "W": (rows, components),
        "H": (components, cols),
        "WH": (rows, cols),
        "residual": (rows, cols),
    }


def check_pandas(out, data):
    try:
        import numpy as np
        import pandas as pd
    except ImportError:
        missing("pandas")
    run = json.load(open(os.path.join(out, "run.json")))
    failures = 0
    for name, (index, columns) in expected_labels(data, run["rank"]).items():
        frame = pd.read_csv(os.path.join(out, name + ".csv"), index_col=0,
                            float_precision="round_trip")
        values = np.load(os.path.join(out, name + ".npy"))
        same = (frame.shape == values.shape
                and [str(i) for i in frame.index] == index
                and list(frame.columns) == columns
                and frame.to_numpy().dtype == np.float64
                and np.array_equal(frame.to_numpy().view(np.uint64), values.view(np.uint64)))
        print(("ok" if same else "FAIL") + f": pandas reads {name}.csv as {name}.npy")
        failures += not same
    loss = pd.read_csv(os.path.join(out, "loss.csv"), index_col=0, float_precision="round_trip")
    values = np.load(os.path.join(out, "loss.npy"))
    same = (loss.index.name == "iteration" and list(loss.index) == list(range(len(values)))
            and np.array_equal(loss.to_numpy().view(np.uint64), values.view(np.uint64))
            and len(values) == run["iterations"] + 1)
    print(("ok" if same else "FAIL") + ": pandas reads loss.csv as loss.npy")
    return failures + (not same)


# Numbers that R 4.2 reads one unit off when written in their shortest
# round-trip form (its read.csv rounds twice, through a long double); none
# so large that the loader refuses the sum of their squares.
R_HARD = [0.65487175909209, 7.55353820407544e-05, -0.0003860956631108534,
          0.001001125142772784, 0.000816965989797925, 1049.931987325563, 384.5861765390475,
          -798.348856652037, -56.1313006335611, 1.798994755672148e-150,
          1.184854647034316e+132, 3.81231996324432e-254, 4.81309761417661e-293]


def write_hard_numbers(cli, out):
    """R_HARD through `convert`, which writes CSV as --out does."""
    import numpy as np  # check_r has made sure it is there
    np.save(os.path.join(out, "hard.npy"), np.array(R_HARD).reshape(-1, 1))
    subprocess.run([cli, "convert", os.path.join(out, "hard.npy"), os.path.join(out, "hard.csv")],
                   check=True)


def check_r(out, data, cli):
    try:
        import numpy as np
    except ImportError:
        missing("numpy")
    rscript = shutil.which("Rscript")
    if rscript is None:
        missing("Rscript")
    run = json.load(open(os.path.join(out, "run.json")))
    # R reads C99 hexadecimal floats exactly: the .npy values go in as those.
    names = list(expected_labels(data, run["rank"])) + ["loss"]
    write_hard_numbers(cli, out)
    for name in names + ["hard"]:
        values = np.load(os.path.join(out, name + ".npy"))
        with open(os.path.join(out, name + ".hex"), "w") as f:
            for row in values:
                f.write(",".join(float(v).hex() for v in row) + "\n")
    for name, (index, columns) in expected_labels(data, run["rank"]).items():
        with open(os.path.join(out, name + ".labels"), "w") as f:
            json.dump({"index": index, "columns": columns}, f)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-readback.R")
    return subprocess.run([rscript, "--vanilla", script, out] + names).returncode


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("pandas", "r"):
        print(__doc__, file=sys.stderr)
        return 2
    tool, cli, data = sys.argv[1:]
    with tempfile.TemporaryDirectory() as out:
        run_out(cli, data, out)
        failures = check_pandas(out, data) if tool == "pandas" else check_r(out, data, cli)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
