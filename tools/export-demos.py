#!/usr/bin/python3
"""The README's export pictures, played on the real window through AT-SPI
as a user would:

  menu  vegan's dune meadows (20 sites x 30 species) at rank 4, run to
        the end; a right click on the loss plot opens its context menu
        (Export Image…, Export Loss History as Data…), cropped to the
        plot. Under Xvfb there is no compositor and the popover's shadow
        is drawn black: those pixels are taken from the plot before.
  loss  the same plot saved as SVG with Ctrl+E: the path typed into the
        save dialog's name entry, the size left as on screen.

Usage (through tools/export-demos): export-demos.py OUTPUT_PREFIX
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


def run_to_end(app, rank):
    teach.set_spin(app, "Iteration limit", 3000)
    teach.set_spin(app, "Rank", rank)
    time.sleep(1.0)
    wait_for("iteration 0", lambda: iteration(app) == 0)
    click(app, "Run")
    time.sleep(1.0)
    wait_for("the end of the run", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Run")
             and (iteration(app) or 0) > 0, 300)


def menu(app, prefix, plot):
    e = plot.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    x, y = e.x + e.width - 330, e.y + 30
    crop = "%dx%d+%d+%d" % (e.width, e.height, e.x, e.y)
    before, after = "%s-before.png" % prefix, "%s-after.png" % prefix
    subprocess.run(["xdotool", "mousemove", "0", "0"], check=True)
    time.sleep(0.5)
    subprocess.run(["import", "-window", "root", "-crop", crop, "+repage", before], check=True)
    subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "3"], check=True)
    item = wait_for("the context menu", lambda: find(app, pyatspi.ROLE_MENU_ITEM, "Export Image…"))
    time.sleep(1.0)
    subprocess.run(["import", "-window", "root", "-crop", crop, "+repage", after], check=True)
    # Without a compositor the popover's shadow is pure black: those
    # pixels are taken from the plot as it was before the menu opened.
    shot = "%s-menu.png" % prefix
    subprocess.run(["convert", after, "-fuzz", "14%", "-transparent", "black", after], check=True)
    subprocess.run(["composite", after, before, shot], check=True)
    os.unlink(before)
    os.unlink(after)
    print("%s: %s" % (shot, ", ".join(i.name for i in item.parent)))
    subprocess.run(["xdotool", "key", "Escape"], check=True)
    time.sleep(0.5)


def save_svg(app, prefix, plot):
    e = plot.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    subprocess.run(["xdotool", "mousemove", str(e.x + 5), str(e.y + 5), "click", "1",
                    "mousemove", "0", "0"], check=True)
    wait_for("the focus on the loss plot", lambda: plot.getState().contains(pyatspi.STATE_FOCUSED))
    subprocess.run(["xdotool", "key", "ctrl+e"], check=True)
    window = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "Export Image"],
                            check=True, capture_output=True, text=True).stdout.split()[0]
    path = "%s-loss.svg" % prefix
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True)
    time.sleep(0.5)
    subprocess.run(["xdotool", "key", "ctrl+a", "BackSpace"], check=True)
    subprocess.run(["xdotool", "type", "--delay", "20", path], check=True)
    subprocess.run(["xdotool", "key", "Return"], check=True)
    wait_for(path, lambda: os.path.exists(path))
    print("%s: %d bytes" % (path, os.path.getsize(path)))


def main():
    prefix = sys.argv[1]
    app = wait_for("the application on the accessibility bus", drive.find_app)
    wait_for("the status line", lambda: status(app))
    wait_for("the dune meadows", lambda: find(app, pyatspi.ROLE_LABEL, "vegan_dune.csv: 20 × 30"))
    run_to_end(app, 4)
    plot = wait_for("the loss plot", lambda: find(app, pyatspi.ROLE_IMAGE, "Cost against iteration"))
    menu(app, prefix, plot)
    save_svg(app, prefix, plot)


try:
    main()
except BaseException:
    subprocess.run(["import", "-window", "root", sys.argv[1] + "-failed.png"])
    raise
