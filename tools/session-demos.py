#!/usr/bin/python3
"""The README's session picture, played on the real window through AT-SPI
as a user would (started by tools/session-demos, under a fake home folder,
with R's volcano from ~/Documents/Factorscope open):

  the digits (1797 x 64) opened with Ctrl+O and the file chooser, the rank
  set to 10 and the session saved with Ctrl+S as
  ~/Documents/Factorscope/digits-rank-10.factorscope; R's USArrests opened
  from ~/Teaching and saved there as lecture-usarrests.factorscope. Open
  Recent then holds those five files, the newest first.

  The primary menu is opened, then its Open Recent submenu (GTK slides it
  into the same popover); each is cut out of a screenshot of the screen
  (the popover's own X window) and the two are put side by side on the
  window's grey. Under Xvfb there is no compositor and a popover's shadow
  is drawn black: the black around each popover is painted grey and
  trimmed away.

Usage (through tools/session-demos): session-demos.py OUTPUT.png
Environment: FS_DEMO_HOME, the fake home folder the files are in.
"""
import importlib.util
import os
import subprocess
import sys
import tempfile
import time

import pyatspi
import gi

gi.require_version("GdkPixbuf", "2.0")
from gi.repository import GdkPixbuf  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
GREY = "#deddda"


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


drive = load("drive", os.path.join(here, "..", "tests", "ui", "drive-app.py"))
teach = load("teach", os.path.join(here, "teach-demos.py"))
wait_for, find, status = drive.wait_for, drive.find, drive.status


def xdotool(*args):
    return subprocess.run(["xdotool"] + list(args), check=True,
                          capture_output=True, text=True).stdout.split()


def main_window():
    """The main window's X id: the one the keyboard shortcuts go to (bare
    Xvfb has no window manager to give the focus back after a dialog)."""
    return xdotool("search", "--sync", "--onlyvisible", "--name", "Factorscope")[0]


def loaded(app, name):
    return wait_for(name, lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.getRole() == pyatspi.ROLE_LABEL
        and a.name.startswith(name + ": ")), 120)


def in_dialog(title, keys, path):
    """Presses keys in the main window, and types path into the dialog
    titled title that they open."""
    def shown():
        return subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                              capture_output=True, text=True).stdout.split()

    # A key pressed as the window is still settling may be lost: pressed
    # again until the dialog shows.
    for _ in range(5):
        xdotool("windowfocus", "--sync", main_window())
        time.sleep(0.3)
        xdotool("key", keys)
        found = drive.poll(shown, 5)
        if found:
            break
    window = wait_for("the dialog %s" % title, shown)[0]
    xdotool("windowfocus", "--sync", window)
    time.sleep(0.7)
    if keys == "ctrl+o":
        # The location entry of the Open dialog.
        xdotool("key", "ctrl+l")
        time.sleep(0.3)
    xdotool("key", "ctrl+a", "BackSpace")
    xdotool("type", "--delay", "20", path)
    time.sleep(0.3)
    xdotool("key", "Return")
    wait_for("the dialog %s to close" % title, lambda: not shown())


def open_file(app, path):
    in_dialog("Open a Matrix or a Session", "ctrl+o", path)
    loaded(app, os.path.basename(path))
    time.sleep(0.5)


def save_session(path):
    in_dialog("Save Session", "ctrl+s", path)
    wait_for(path, lambda: os.path.exists(path))
    time.sleep(0.5)


def screen(path):
    subprocess.run(["import", "-window", "root", path], check=True)


def mapped_windows():
    """The X ids of the screen's mapped top-level windows: a popover is one
    of its own."""
    out = subprocess.run(["xwininfo", "-root", "-children"], check=True, capture_output=True,
                         text=True).stdout
    ids = set()
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("0x"):
            wid = line.split()[0]
            info = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True).stdout
            if "IsViewable" in info:
                ids.add(wid)
    return ids


def geometry(wid):
    info = subprocess.run(["xwininfo", "-id", wid], check=True, capture_output=True,
                          text=True).stdout
    values = {}
    for line in info.splitlines():
        key, _, value = line.strip().partition(":")
        values[key] = value.strip()
    return tuple(int(values[k]) for k in ("Absolute upper-left X", "Absolute upper-left Y",
                                          "Width", "Height"))


def on_screen(box):
    """box clipped to the screen: a popover's shadow may hang over its edge."""
    x, y, w, h = box
    width, height = (int(v) for v in xdotool("getdisplaygeometry"))
    x0, y0 = max(x, 0), max(y, 0)
    return x0, y0, min(x + w, width) - x0, min(y + h, height) - y0


def popover(before):
    """The one window mapped since before: the popover, with its shadow."""
    new = mapped_windows() - before
    return new.pop() if len(new) == 1 else None


def cut_out(shot, box, out):
    """The popover's box (its X window's, on the screen) out of the
    screenshot, its black shadow painted grey from every corner in, on a
    grey margin."""
    x, y, w, h = box
    fill = []
    for cx, cy in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)):
        fill += ["-draw", "color %d,%d floodfill" % (cx, cy)]
    subprocess.run(["convert", shot, "-crop", "%dx%d+%d+%d" % (w, h, x, y), "+repage",
                    "-fuzz", "12%", "-fill", GREY] + fill
                   + ["-trim", "+repage", "-bordercolor", GREY, "-border", "8", out], check=True)


def open_menu(app):
    button = wait_for("the Main Menu button", lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.name == "Main Menu"
        and a.getRole() in (pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_PUSH_BUTTON)))
    # GTK 4.8's menu button has no action of its own: it is clicked.
    e = button.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    xdotool("mousemove", str(e.x + e.width // 2), str(e.y + e.height // 2), "click", "1",
            "mousemove", "0", "0")
    return wait_for("Open Recent", lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.name == "Open Recent"))


def recent_items(app):
    items = pyatspi.findAllDescendants(
        app, lambda a: a is not None and a.getRole() == pyatspi.ROLE_MENU_ITEM
        and " — " in a.name)
    return items if len(items) >= 3 else None


def main():
    out = sys.argv[1]
    home = os.environ["FS_DEMO_HOME"]
    docs = os.path.join(home, "Documents", "Factorscope")
    teaching = os.path.join(home, "Teaching")
    app = wait_for("the application on the accessibility bus", drive.find_app)
    wait_for("the status line", lambda: status(app))
    loaded(app, "R_volcano_87x61.csv")

    open_file(app, os.path.join(docs, "sklearn_digits_1797x64.csv"))
    teach.set_spin(app, "Rank", 10)
    save_session(os.path.join(docs, "digits-rank-10.factorscope"))
    open_file(app, os.path.join(teaching, "R_USArrests.csv"))
    save_session(os.path.join(teaching, "lecture-usarrests.factorscope"))

    work = tempfile.mkdtemp(prefix="shots-", dir=home)
    main_shot, recent_shot = (os.path.join(work, n) for n in ("menu.png", "recent.png"))
    xdotool("mousemove", "0", "0")
    time.sleep(0.5)
    windows = mapped_windows()
    item = open_menu(app)
    menu = wait_for("the menu's popover", lambda: popover(windows))
    time.sleep(1.0)
    screen(main_shot)
    menu_box = on_screen(geometry(menu))
    item.queryAction().doAction(0)
    items = wait_for("the recent files", lambda: recent_items(app))
    time.sleep(1.0)
    screen(recent_shot)
    recent_box = on_screen(geometry(menu))
    print("Open Recent: %s" % "; ".join(i.name for i in items))
    cut_out(main_shot, menu_box, os.path.join(work, "menu-cut.png"))
    cut_out(recent_shot, recent_box, os.path.join(work, "recent-cut.png"))
    xdotool("key", "Escape", "Escape")

    subprocess.run(["convert", "-background", GREY, "-gravity", "North",
                    os.path.join(work, "menu-cut.png"), os.path.join(work, "recent-cut.png"),
                    "+append", "+repage", out], check=True)
    for name in os.listdir(work):
        os.unlink(os.path.join(work, name))
    os.rmdir(work)
    print("%s: the primary menu and Open Recent" % out)


try:
    main()
except BaseException:
    subprocess.run(["import", "-window", "root", sys.argv[1] + "-failed.png"])
    raise
