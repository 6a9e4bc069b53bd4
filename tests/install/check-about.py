#!/usr/bin/python3
"""Opens the real app's About window from the primary menu, through AT-SPI,
and checks that it shows the app's icon (its yellow and purple cells are on
screen: a missing icon draws a grey broken image), the website and issue
tracker links and the legal section, then keeps a screenshot to look at.
Run it through tests/ui/run-drive-app.sh with FS_DRIVE_SCRIPT set to it.

Usage: check-about.py SCREENSHOT.png
"""
import subprocess
import sys
import time

import pyatspi
from gi.repository import GLib

DEADLINE = 60


def poll(test, seconds=DEADLINE):
    end = time.monotonic() + seconds
    context = GLib.MainContext.default()
    while time.monotonic() < end:
        while context.iteration(False):
            pass
        value = test()
        if value:
            return value
        time.sleep(0.1)
    return None


def wait_for(what, test):
    value = poll(test)
    if value is None:
        sys.exit("timed out waiting for %s" % what)
    return value


def find_app():
    for app in pyatspi.Registry.getDesktop(0):
        if app is not None and app.name == "factorscope":
            return app
    return None


def find(root, role, name):
    return pyatspi.findDescendant(
        root, lambda a: a is not None and a.getRole() == role and a.name == name)


def find_named(root, name):
    return pyatspi.findDescendant(root, lambda a: a is not None and a.name == name)


def window_of(node):
    """The toplevel that holds node, and its extents on screen."""
    while node.parent is not None and node.parent.getRole() != pyatspi.ROLE_APPLICATION:
        node = node.parent
    extents = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    return extents.x, extents.y, extents.width, extents.height


def icon_pixels(path, area):
    """How many pixels of the icon's yellow and of its purple the About
    window shows (the heat maps' colour bars behind it have yellow too)."""
    x, y, width, height = area
    raw = subprocess.run(["convert", path, "-crop", "%dx%d+%d+%d" % (width, height, x, y),
                          "-depth", "8", "rgb:-"],
                         check=True, capture_output=True).stdout
    yellow = purple = 0
    for k in range(0, len(raw) - 2, 3):
        r, g, b = raw[k], raw[k + 1], raw[k + 2]
        if r > 200 and g > 150 and b < 120:
            yellow += 1
        elif r > 80 and b > 120 and g < 110 and b > g + 40:
            purple += 1
    return yellow, purple


def main():
    shot = sys.argv[1]
    app = wait_for("the app on the accessibility bus", find_app)
    menu = wait_for("the Main Menu button", lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.name == "Main Menu" and a.queryAction().nActions > 0))
    menu.queryAction().doAction(0)
    item = wait_for("the menu item About Factorscope",
                    lambda: find(app, pyatspi.ROLE_MENU_ITEM, "About Factorscope"))
    item.queryAction().doAction(0)

    version = wait_for("the About window's version", lambda: find_named(app, "0.1.0"))
    area = window_of(version)
    print("ok      About window at %d,%d, %d × %d" % area)
    for name in ("Website", "Report an Issue", "Legal"):
        wait_for("the About window's %s row" % name, lambda: find_named(app, name))
        print("ok      About has %s" % name)
    # Drawn, not only mapped: the icon's pixels appear within the deadline.
    def icon_drawn():
        subprocess.run(["import", "-window", "root", shot], check=True)
        counts = icon_pixels(shot, area)
        return counts if min(counts) > 500 else None

    counts = poll(icon_drawn, 20)
    if counts is None:
        sys.exit("the About window does not show the app's icon (see %s)" % shot)
    print("ok      About shows the icon (%d yellow and %d purple pixels)" % counts)
    print("0 failed")


if __name__ == "__main__":
    main()
