#!/usr/bin/python3
"""Drives the real Factorscope window through AT-SPI, as a user would:
sets the rank, presses Run, reads the status line until the iteration
passes 1000, presses Pause, checks the count holds, and takes a
screenshot. Run it through tests/ui/run-drive-app.sh, which starts Xvfb,
a D-Bus session and the app.

Usage: drive-app.py SCREENSHOT.png
Environment: FS_DRIVE_RANK (default 3), FS_DRIVE_UNTIL (default 1000): the
rank to set and the iteration to pass before the screenshot and Pause;
FS_DRIVE_FILL: make the window fill the screen first.
"""
import os
import re
import subprocess
import sys
import time

import pyatspi

DEADLINE = 60


def wait_for(what, test, seconds=DEADLINE):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = test()
        if value:
            return value
        time.sleep(0.1)
    sys.exit("timed out waiting for %s" % what)


def find_app():
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        if app is not None and app.name == "factorscope":
            return app
    return None


def find(root, role, name):
    return pyatspi.findDescendant(
        root, lambda a: a is not None and a.getRole() == role and a.name == name)


def status(app):
    label = pyatspi.findDescendant(
        app, lambda a: a is not None and a.getRole() == pyatspi.ROLE_LABEL
        and re.match(r"Iteration \d+", a.name) is not None)
    return label.name if label is not None else None


def iteration(app):
    text = status(app)
    match = re.match(r"Iteration (\d+)", text or "")
    return int(match.group(1)) if match else None


def click(app, name):
    button = wait_for("button %s" % name, lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, name))
    button.queryAction().doAction(0)


def main():
    shot = sys.argv[1]
    app = wait_for("the application on the accessibility bus", find_app)
    wait_for("the status line", lambda: status(app))
    if os.environ.get("FS_DRIVE_FILL"):
        # Bare Xvfb has no window manager to maximize the window.
        subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Factorscope",
                        "windowmove", "0", "0", "windowsize", "100%", "100%"], check=True)
        time.sleep(1)

    rank = wait_for("the Rank spin button", lambda: find(app, pyatspi.ROLE_SPIN_BUTTON, "Rank"))
    wanted_rank = int(os.environ.get("FS_DRIVE_RANK", "3"))
    until = int(os.environ.get("FS_DRIVE_UNTIL", "1000"))
    rank.queryValue().currentValue = wanted_rank
    wait_for("the rank", lambda: rank.queryValue().currentValue == wanted_rank)
    limit = wait_for("the Iteration limit spin button",
                     lambda: find(app, pyatspi.ROLE_SPIN_BUTTON, "Iteration limit"))
    limit.queryValue().currentValue = 10000000
    wait_for("the new limit", lambda: limit.queryValue().currentValue == 10000000)
    lr = find(app, pyatspi.ROLE_SPIN_BUTTON, "Learning rate")
    assert lr is not None, "no Learning rate spin button"
    wait_for("iteration 0 after the rank change", lambda: iteration(app) == 0)

    click(app, "Run")
    wait_for("iteration %d" % until, lambda: (iteration(app) or 0) > until)
    time.sleep(0.3)
    subprocess.run(["import", "-window", "root", shot], check=True)
    print("screenshot while running: %s" % shot)
    click(app, "Pause")
    wait_for("the Run button back", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Run"))
    held = iteration(app)
    time.sleep(0.5)
    assert iteration(app) == held, "the count moved while paused"
    print("paused at: %s" % status(app))


main()
