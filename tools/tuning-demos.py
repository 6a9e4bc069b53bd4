#!/usr/bin/python3
"""The README's tuning screenshots, played on the real window through
AT-SPI as a user would, each ending in a screenshot:

  pins     vegan's dune meadows (20 sites x 30 species) at rank 2 and
           rank 4, each kept (Keep), then rank 10 live: three curves on the
           loss plot, the two kept ones named by their rank in the legend
           and in the bar under it.
  compare  the comparison table of the same three runs (Compare).
  sweep    a rank sweep from 1 to 12 with 10% of the cells held out, in
           the Sweep view: the training cost falls with the rank, the
           held-out error is lowest at rank 4 and climbs after it.

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
    # The new rank's runner replaces the last one's (at iteration 0 too, at
    # first) within a few milliseconds on this small matrix.
    time.sleep(1.0)
    wait_for("iteration 0", lambda: iteration(app) == 0)
    click(app, "Run")
    time.sleep(1.0)
    wait_for("the end of the run at rank %d" % rank,
             lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Run") and (iteration(app) or 0) > 0, 300)


def keep(app):
    click(app, "Keep")
    time.sleep(0.5)


def pins_and_compare(app, prefix):
    set_spin(app, "Iteration limit", 5000)
    run_to_end(app, 2)
    keep(app)
    run_to_end(app, 4)
    keep(app)
    run_to_end(app, 10)
    wait_for("two kept runs in the legend bar", lambda: find(app, pyatspi.ROLE_LABEL, "rank 2")
             and find(app, pyatspi.ROLE_LABEL, "rank 4"))
    time.sleep(5.0)  # the toast of the last Keep goes
    shoot(prefix, "pins", app)
    key("ctrl+shift+k")
    time.sleep(1.0)
    shoot(prefix, "compare", app)
    key("Escape")


def sweep(app, prefix):
    teach.switch_on(app, "Hold out cells")
    time.sleep(1.0)
    wait_for("iteration 0", lambda: iteration(app) == 0)
    click(app, "Run")
    time.sleep(1.0)
    wait_for("the end of the held-out run",
             lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Run") and (iteration(app) or 0) > 0, 300)
    key("alt+5")
    swept = wait_for("the Sweep view", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Start sweep"))
    set_spin(app, "From", 1)
    set_spin(app, "To", 12)
    swept.queryAction().doAction(0)
    wait_for("the sweep's end", lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.getRole() == pyatspi.ROLE_LABEL
        and a.name.startswith("Done: 12 points")), 600)
    shoot(prefix, "sweep", app)


def main():
    prefix = sys.argv[1]
    app = wait_for("the application on the accessibility bus", drive.find_app)
    wait_for("the status line", lambda: status(app))
    subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Factorscope",
                    "windowmove", "0", "0", "windowsize", "100%", "100%"], check=True)
    time.sleep(1)
    wait_for("the dune meadows", lambda: find(app, pyatspi.ROLE_LABEL, "vegan_dune.csv: 20 × 30"))
    pins_and_compare(app, prefix)
    sweep(app, prefix)


try:
    main()
except BaseException:
    subprocess.run(["import", "-window", "root", sys.argv[1] + "-failed.png"])
    raise
