#!/usr/bin/python3
"""The README's three teaching demos, played on the real window through
AT-SPI as a teacher would, each ending in a screenshot:

  too-large-step   the cameraman at three times its starting rate: the run
                   swings, stops as unstable, and the banner says why and
                   what rate to try; the meter shows the rate is too large.
  l2-toward-fstar  the low-rank example runs to its optimum, then L2 on W
                   and H is set: the run goes on from where it was (two
                   marks on the curve) down to the new f*.
  plain-vs-normalized  the cameraman with 100 plain steps, then the
                   normalized rule: a mark, the rate suggested for the new
                   rule, a quick descent, and steps of fixed length that
                   cannot settle as close to f* as plain ones do.

Usage (through tools/teach-demos): teach-demos.py OUTPUT_PREFIX
"""
import importlib.util
import os
import subprocess
import sys
import time

import pyatspi

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "drive", os.path.join(here, "..", "tests", "ui", "drive-app.py"))
drive = importlib.util.module_from_spec(spec)
spec.loader.exec_module(drive)
wait_for, find, click, status, iteration = (
    drive.wait_for, drive.find, drive.click, drive.status, drive.iteration)


def spin(app, name):
    return wait_for(name, lambda: find(app, pyatspi.ROLE_SPIN_BUTTON, name)).queryValue()


def set_spin(app, name, value):
    field = spin(app, name)
    field.currentValue = value
    wait_for("%s = %g" % (name, value), lambda: abs(field.currentValue - value) <= 1e-12 * abs(value))


def switch_on(app, name):
    switch = wait_for(name, lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.name == name
        and a.getRole() in (pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX)))
    if not switch.getState().contains(pyatspi.STATE_CHECKED):
        switch.queryAction().doAction(0)
        wait_for("%s on" % name, lambda: switch.getState().contains(pyatspi.STATE_CHECKED))


def set_speed(app, notch):
    speed = wait_for("the Speed slider", lambda: find(app, pyatspi.ROLE_SLIDER, "Speed")).queryValue()
    speed.currentValue = notch
    wait_for("speed notch %d" % notch, lambda: speed.currentValue == notch)


def load_example(app, label, title):
    drive.load_example(app, label)
    wait_for(title, lambda: find(app, pyatspi.ROLE_LABEL, title))
    wait_for("iteration 0", lambda: iteration(app) == 0)


def scroll_panel(app, clicks):
    """Scrolls the settings panel to the top, then down by clicks of the
    mouse wheel: an unfocused setting under the pointer does not take it."""
    subprocess.run(["xdotool", "mousemove", "190", "450", "click", "--repeat", "40",
                    "--delay", "10", "4"], check=True)
    subprocess.run(["xdotool", "click", "--repeat", str(clicks), "--delay", "30", "5"], check=True)
    time.sleep(0.5)


def click_on(obj):
    # GTK 4.8 gives no screen coordinates; the window fills the screen at 0, 0.
    box = obj.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    subprocess.run(["xdotool", "mousemove", str(box.x + box.width // 2), str(box.y + box.height // 2),
                    "click", "1"], check=True)
    time.sleep(0.5)


def choose_rule(app, index):
    """The Update rule row is a drop-down: click it open, go to the top of
    the list, down to the rule's place in the table, and choose with Enter,
    as a user would."""
    scroll_panel(app, 7)
    combo = wait_for("Update rule", lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.getRole() == pyatspi.ROLE_COMBO_BOX
        and a.name == "Update rule"))
    click_on(combo)
    for key in ["Home"] + ["Down"] * index + ["Return"]:
        subprocess.run(["xdotool", "key", key], check=True)
        time.sleep(0.3)


def shoot(prefix, name, app):
    time.sleep(0.5)
    path = "%s-%s.png" % (prefix, name)
    subprocess.run(["import", "-window", "root", path], check=True)
    print("%s: %s" % (path, status(app)))


def too_large_step(app, prefix):
    load_example(app, "Cameraman photo (512 × 512)", "Cameraman: 512 × 512")
    switch_on(app, "Logarithmic iteration axis")
    set_speed(app, 4)  # 60 a second: every step drawn
    lr = spin(app, "Learning rate")
    set_spin(app, "Learning rate", 3 * lr.currentValue)
    click(app, "Run")
    wait_for("the unstable stop", lambda: (status(app) or "").endswith("unstable"), 120)
    # The banner took the focus; the learning rate's row, with its
    # stability meter, scrolls into view with the focus on its field.
    time.sleep(1)
    scroll_panel(app, 8)
    shoot(prefix, "too-large-step", app)
    click(app, "Dismiss")


def l2_toward_fstar(app, prefix):
    load_example(app, "Low-rank matrix with noise", "Low-rank example: 100 × 80")
    choose_rule(app, 0)
    set_speed(app, 8)
    click(app, "Run")
    wait_for("the convergence", lambda: (status(app) or "").endswith("converged"))
    set_spin(app, "L2 on W", 0.5)
    set_spin(app, "L2 on H", 0.5)
    click(app, "Run")
    wait_for("the convergence with L2", lambda: (status(app) or "").endswith("converged"))
    shoot(prefix, "l2-toward-fstar", app)


def plain_vs_normalized(app, prefix):
    load_example(app, "Cameraman photo (512 × 512)", "Cameraman: 512 × 512")
    switch_on(app, "Logarithmic iteration axis")
    set_speed(app, 8)
    # 100 plain steps exactly: Step's menu, "Step 100 Iterations".
    click(app, "More Steps")
    item = wait_for("Step 100 Iterations", lambda: find(app, pyatspi.ROLE_MENU_ITEM, "Step 100 Iterations"))
    item.queryAction().doAction(0)
    wait_for("iteration 100", lambda: iteration(app) == 100)
    choose_rule(app, 1)
    wait_for("the normalized rule's rate", lambda: spin(app, "Learning rate").currentValue > 0.01)
    click(app, "Run")
    wait_for("the run to start", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Pause"))
    wait_for("the end of the run", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Run"), 120)
    shoot(prefix, "plain-vs-normalized", app)


def main():
    prefix = sys.argv[1]
    app = wait_for("the application on the accessibility bus", drive.find_app)
    wait_for("the status line", lambda: status(app))
    subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Factorscope",
                    "windowmove", "0", "0", "windowsize", "100%", "100%"], check=True)
    time.sleep(1)
    demos = os.environ.get("FS_DEMOS", "too-large-step plain-vs-normalized l2-toward-fstar").split()
    for name in demos:
        {"too-large-step": too_large_step, "l2-toward-fstar": l2_toward_fstar,
         "plain-vs-normalized": plain_vs_normalized}[name](app, prefix)


if __name__ == "__main__":
    main()
