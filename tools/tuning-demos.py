#!/usr/bin/python3
"""The README's tuning screenshots, played on the real window through
AT-SPI as a user would, each ending in a screenshot:

  pins     the digits (1797 x 64) at rank 3 and rank 6, each kept (Keep),
           then rank 12 live: three curves on the loss plot, the two kept
           ones named by their rank in the legend and the bar under it.
  compare  the comparison table of the same three runs (Compare).
  sweep    a rank sweep from 1 to 20 with 10% of the cells held out, in
           the Sweep view: training cost, f* and the held-out error
           against the rank.

Usage (through tools/tuning-demos): tuning-demos.py OUTPUT_PREFIX
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
spin, set_spin = teach.spin, teach.set_spin


def key(*keys):
    for k in keys:
        subprocess.run(["xdotool", "key", k], check=True)
        time.sleep(0.3)


def shoot(prefix, name, app):
    # The pointer rests on the status line, where it shows no tooltip.
    subprocess.run(["xdotool", "mousemove", "640", "790"], check=True)
    time.sleep(1.0)
    path = "%s-%s.png" % (prefix, name)
    subprocess.run(["import", "-window", "root", path], check=True)
    print("%s: %s" % (path, status(app)))


def run_to_end(app, rank):
    set_spin(app, "Rank", rank)
    wait_for("iteration 0", lambda: iteration(app) == 0)
    click(app, "Run")
    wait_for("the end of the run at rank %d" % rank,
             lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Run") and (iteration(app) or 0) > 0, 300)


def pins_and_compare(app, prefix):
    set_spin(app, "Iteration limit", 2000)
    run_to_end(app, 3)
    click(app, "Keep")
    run_to_end(app, 6)
    click(app, "Keep")
    run_to_end(app, 12)
    wait_for("two kept runs in the legend bar", lambda: find(app, pyatspi.ROLE_LABEL, "rank 3")
             and find(app, pyatspi.ROLE_LABEL, "rank 6"))
    shoot(prefix, "pins", app)
    key("ctrl+shift+k")
    time.sleep(1.0)
    shoot(prefix, "compare", app)
    key("Escape")


def sweep(app, prefix):
    set_spin(app, "Held-out cells (%)", 10)
    key("alt+5")
    swept = wait_for("the Sweep view", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Start sweep"))
    set_spin(app, "From", 1)
    set_spin(app, "To", 20)
    swept.queryAction().doAction(0)
    wait_for("the sweep's end", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Start sweep"), 600)
    shoot(prefix, "sweep", app)


def main():
    prefix = sys.argv[1]
    app = wait_for("the application on the accessibility bus", drive.find_app)
    wait_for("the status line", lambda: status(app))
    subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Factorscope",
                    "windowmove", "0", "0", "windowsize", "100%", "100%"], check=True)
    time.sleep(1)
    wait_for("the digits", lambda: find(app, pyatspi.ROLE_LABEL, "sklearn_digits_1797x64.csv: 1,797 × 64"))
    pins_and_compare(app, prefix)
    sweep(app, prefix)


try:
    main()
except BaseException:
    subprocess.run(["import", "-window", "root", sys.argv[1] + "-failed.png"])
    raise
