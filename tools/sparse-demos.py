#!/usr/bin/python3
"""The README's sparse-coding screenshots, played on the real window
through AT-SPI as a user would, each ending in a screenshot:

  atoms     the faces stack (200 images of 25 x 25, tests/data/real) with
            its rows drawn as 25 x 25 images, non-negative, L1 on W, rank
            16, run to convergence; the Atoms view with sample 7 chosen:
            its code, its reconstruction and its strongest atoms outlined.
  factors   the same run's W and H view: exact zeros in a colour of their
            own, the histograms of log10 |value| with the zeros apart, and
            the share of zeros over the iterations.
  spectrum  the same run's Spectrum view, with the cost terms on the loss
            plot (Ctrl+T).

Usage (through tools/sparse-demos): sparse-demos.py OUTPUT_PREFIX
"""
import importlib.util
import os
import subprocess
import sys
import time

import pyatspi

here = os.path.dirname(os.path.abspath(__file__))


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


drive = load("drive", os.path.join(here, "..", "tests", "ui", "drive-app.py"))
teach = load("teach", os.path.join(here, "teach-demos.py"))
wait_for, find, click, status, iteration = (
    drive.wait_for, drive.find, drive.click, drive.status, drive.iteration)
spin, set_spin, switch_on, click_on = teach.spin, teach.set_spin, teach.switch_on, teach.click_on


def key(*keys):
    for k in keys:
        subprocess.run(["xdotool", "key", k], check=True)
        time.sleep(0.3)


def choose_row_shape(app, index):
    """The Row shape drop-down: open it with a click, then go down its list
    (profiles, one image, then the image shapes, squarest first) and
    choose with Enter, as a user would."""
    combo = wait_for("Row shape", lambda: find(app, pyatspi.ROLE_COMBO_BOX, "Row shape"))
    click_on(combo)
    key(*(["Down"] * index + ["Return"]))
    time.sleep(0.5)


def shoot(prefix, name, app):
    # The pointer rests on the status line, where it shows no tooltip.
    subprocess.run(["xdotool", "mousemove", "640", "790"], check=True)
    time.sleep(1.0)
    path = "%s-%s.png" % (prefix, name)
    subprocess.run(["import", "-window", "root", path], check=True)
    print("%s: %s" % (path, status(app)))


def main():
    prefix = sys.argv[1]
    app = wait_for("the application on the accessibility bus", drive.find_app)
    wait_for("the status line", lambda: status(app))
    subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Factorscope",
                    "windowmove", "0", "0", "windowsize", "100%", "100%"], check=True)
    time.sleep(1)
    wait_for("the faces", lambda: find(app, pyatspi.ROLE_LABEL, "skimage_lfw_subset_200x625.npy: 200 × 625"))
    set_spin(app, "Rank", 16)
    switch_on(app, "Non-negative")
    set_spin(app, "L1 on W", float(os.environ.get("FS_DEMO_L1_W", "0.5")))
    set_spin(app, "L2 on H", float(os.environ.get("FS_DEMO_L2_H", "0.5")))
    set_spin(app, "Iteration limit", int(os.environ.get("FS_DEMO_ITERS", "3000")))
    wait_for("iteration 0", lambda: iteration(app) == 0)
    key("alt+3")
    choose_row_shape(app, 2)  # Rows are 25 × 25 images
    click(app, "Run")
    wait_for("the end of the run", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Run") and
             (iteration(app) or 0) > 0, 300)
    set_spin(app, "Sample", 7)
    shoot(prefix, "atoms", app)
    key("alt+2")
    shoot(prefix, "factors", app)
    key("ctrl+t", "alt+4")
    shoot(prefix, "spectrum", app)


try:
    main()
except BaseException:
    subprocess.run(["import", "-window", "root", sys.argv[1] + "-failed.png"])
    raise
