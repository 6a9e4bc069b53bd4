#!/usr/bin/python3
"""Drives the real Factorscope window through AT-SPI, as a user would:
checks that every control has a plain name, sets the rank, runs at 10
iterations a second and checks the count grows at that pace, presses Pause
and checks the count holds, then runs at full speed past an iteration (or
to convergence) and takes a screenshot. Then it loads another
example and checks that the learning rate's value is the one it shows,
and makes a run diverge and checks that the banner's error reaches a
screen reader (the focus moves to it). Last, it exports the loss plot as
PNG with Ctrl+E and the save dialog, and reads the file back. Run it through
tests/ui/run-drive-app.sh, which starts Xvfb, a D-Bus session and the app.

Usage: drive-app.py SCREENSHOT.png
Environment: FS_DRIVE_RANK (default 3), FS_DRIVE_UNTIL (default 40): the
rank to set and the iteration to pass before the screenshot and Pause;
FS_DRIVE_FILL: make the window fill the screen first.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

import pyatspi
from gi.repository import GLib

DEADLINE = 60

# Roles a user acts on: each needs a name of its own, not the class name
# GTK 4.8 falls back to ("GtkMenuButton") and not nothing.
CONTROL_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_SPIN_BUTTON, pyatspi.ROLE_COMBO_BOX,
    pyatspi.ROLE_LIST, pyatspi.ROLE_PAGE_TAB_LIST, pyatspi.ROLE_PAGE_TAB,
    pyatspi.ROLE_SCROLL_BAR, pyatspi.ROLE_SLIDER, pyatspi.ROLE_ENTRY, pyatspi.ROLE_TEXT,
    pyatspi.ROLE_MENU_ITEM,
}
CLASS_NAME = re.compile(r"^(Gtk|Adw|Fs)[A-Z]")


def poll(test, seconds):
    """test's first true value within seconds, or None."""
    end = time.monotonic() + seconds
    context = GLib.MainContext.default()
    while time.monotonic() < end:
        # AT-SPI events arrive through the main loop.
        while context.iteration(False):
            pass
        value = test()
        if value:
            return value
        time.sleep(0.1)
    return None


def wait_for(what, test, seconds=DEADLINE):
    value = poll(test, seconds)
    if value is None:
        sys.exit("timed out waiting for %s" % what)
    return value


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
    button = wait_for("button %s" % name, lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.getRole() == pyatspi.ROLE_PUSH_BUTTON
        and a.name == name and a.queryAction().nActions > 0))
    button.queryAction().doAction(0)


def pause(app, must_be_running=False):
    """Pauses the run, if it still runs: a run at full speed may stop by
    itself (converged) between looking for Pause and pressing it, so this
    never waits for a Pause button that may not come back. Returns whether
    it pressed Pause."""
    def state():
        if find(app, pyatspi.ROLE_PUSH_BUTTON, "Run") is not None:
            return "stopped"
        button = find(app, pyatspi.ROLE_PUSH_BUTTON, "Pause")
        if button is not None and button.queryAction().nActions > 0:
            return button
        return None

    while True:
        current = wait_for("the Run or the Pause button", state)
        if current == "stopped":
            assert not must_be_running, "the run stopped before Pause was pressed"
            return False
        try:
            current.queryAction().doAction(0)
        except Exception:
            # The button went away (the run stopped) as it was pressed:
            # look again.
            continue
        # Paused, or stopped by itself just before: then the press was a
        # Run, and the button says Pause again; press once more.
        if poll(lambda: state() == "stopped", 10):
            return True
        must_be_running = False


def badly_named_controls(root):
    """The controls under root whose name is empty or a class name."""
    bad = []

    def walk(node, path):
        for child in node:
            if child is None:
                continue
            here = path + [child.getRoleName()]
            if child.getRole() in CONTROL_ROLES and (not child.name or CLASS_NAME.match(child.name)):
                bad.append("%s %r" % ("/".join(here), child.name))
            walk(child, here)

    walk(root, [])
    return bad


def check_names(app):
    window = find(app, pyatspi.ROLE_FRAME, "Factorscope")
    bad = badly_named_controls(window)
    assert not bad, "controls without a plain name:\n  " + "\n  ".join(bad)
    more = [a.name for a in pyatspi.findAllDescendants(
        window, lambda a: a is not None and a.getRole() == pyatspi.ROLE_PUSH_BUTTON
        and a.name == "More Steps")]
    assert more, "the Step menu arrow has no name"
    assert find(window, pyatspi.ROLE_PAGE_TAB_LIST, "View") is not None, "the view switcher has no name"
    print("every control has a plain name; Step arrow: More Steps; view switcher: View")


def shown_text(obj):
    text = obj.queryText()
    # GTK 4.8 answers nothing for getText (0, -1).
    return text.getText(0, text.characterCount)


def load_example(app, label):
    click(app, "Examples")
    item = wait_for("the menu item %s" % label, lambda: find(app, pyatspi.ROLE_MENU_ITEM, label))
    item.queryAction().doAction(0)


def check_lr_follows_example(app):
    """The learning rate the field shows after an example load (set from
    code: the rule's starting step for the new matrix) is the value it
    reports."""
    lr = find(app, pyatspi.ROLE_SPIN_BUTTON, "Learning rate")
    # From the cameraman's rate (0.000898) to the digits' (0.0001105): GTK
    # 4.8 takes numbers within 0.001 of each other for the same accessible
    # value, and kept the old one.
    load_example(app, "Cameraman photo (512 × 512)")
    wait_for("the cameraman", lambda: find(app, pyatspi.ROLE_LABEL, "Cameraman: 512 × 512"))
    wait_for("the cameraman's rate", lambda: abs(lr.queryValue().currentValue - 0.000898) < 1e-6)
    before = lr.queryValue().currentValue
    load_example(app, "Handwritten digits (1797 × 64)")
    wait_for("the digits", lambda: find(app, pyatspi.ROLE_LABEL, "Handwritten digits: 1797 × 64"))
    wait_for("a new learning rate", lambda: lr.queryValue().currentValue != before)
    value = lr.queryValue().currentValue
    text = shown_text(lr)
    assert abs(float(text) - value) <= 1e-3 * value, \
        "the learning rate shows %s but reports %r" % (text, value)
    print("learning rate after the example: shows %s, reports %r" % (text, value))


def check_banner_announced(app):
    """A run that diverges shows an error in the banner; GTK 4.8 cannot
    announce it, so the banner takes the focus, which a screen reader
    presents: a focus event on the banner's button, described by the
    message, inside an alert named by it."""
    focused = []

    def on_focus(event):
        if event.detail1 and event.source is not None and event.source.name == "Dismiss":
            focused.append((event.source.description, event.source.parent.getRoleName(),
                            event.source.parent.name))

    pyatspi.Registry.registerEventListener(on_focus, "object:state-changed:focused")
    lr = find(app, pyatspi.ROLE_SPIN_BUTTON, "Learning rate")
    lr.queryValue().currentValue = 500
    wait_for("the large rate", lambda: lr.queryValue().currentValue == 500)
    click(app, "Run")
    description, role, name = wait_for("the banner's focus event", lambda: focused and focused[0])
    pyatspi.Registry.deregisterEventListener(on_focus, "object:state-changed:focused")
    assert role == "alert", "the Dismiss button is in a %s, not an alert" % role
    assert "diverge" in description, "the focused button says %r" % description
    assert name == description, "the alert is named %r, not by its message" % name
    print("banner announced: %s" % description)
    click(app, "Dismiss")


def check_slow_speed(app):
    """At 10 iterations a second (the Speed slider's third notch) the count
    grows at that pace: no faster than the time allows, not far slower.
    Pause then holds the count."""
    speed = wait_for("the Speed slider", lambda: find(app, pyatspi.ROLE_SLIDER, "Speed"))
    speed.queryValue().currentValue = 2
    wait_for("10 iterations a second", lambda: speed.queryValue().currentValue == 2)
    start_iteration = iteration(app)
    click(app, "Run")
    start = time.monotonic()
    wait_for("a few slow steps", lambda: (iteration(app) or 0) >= start_iteration + 15)
    made = iteration(app) - start_iteration
    elapsed = time.monotonic() - start
    assert made <= 10 * elapsed + 2, "%d iterations in %.2f s at 10 a second" % (made, elapsed)
    assert made >= 10 * elapsed * 0.5, "only %d iterations in %.2f s at 10 a second" % (made, elapsed)
    print("at 10 iterations a second: %d in %.2f s" % (made, elapsed))
    pause(app, must_be_running=True)
    held = iteration(app)
    time.sleep(0.5)
    assert iteration(app) == held, "the count moved while paused"
    print("paused at: %s" % status(app))
    speed.queryValue().currentValue = speed.queryValue().maximumValue
    wait_for("full speed", lambda: speed.queryValue().currentValue == speed.queryValue().maximumValue)


def check_inspection(app):
    """The Atoms view from its shortcut (Alt+3): after a step the gallery
    describes its atoms; a sample chosen with the Sample field shows its
    code, read out with its count of zeros. Alt+1 goes back."""
    subprocess.run(["xdotool", "key", "alt+3"], check=True)
    gallery = wait_for("the atom gallery", lambda: find(app, pyatspi.ROLE_IMAGE, "Atoms"))
    click(app, "Step")
    description = wait_for("the atoms", lambda: "largest energy first" in gallery.description
                           and gallery.description)
    sample = wait_for("the Sample field", lambda: find(app, pyatspi.ROLE_SPIN_BUTTON, "Sample"))
    sample.queryValue().currentValue = 3
    code = wait_for("the sample's code", lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.getRole() == pyatspi.ROLE_IMAGE and a.name == "Sample code"
        and a.description.startswith("Sample 3 ")))
    assert re.search(r"\d+ of \d+ zero", code.description), code.description
    print("atoms: %s; code: %s" % (description, code.description))
    subprocess.run(["xdotool", "key", "alt+1"], check=True)


def check_pins(app):
    """Keep pins the run; after a new rank and a few steps, the loss plot's
    legend reads two entries: the live cost and the kept run, named by the
    setting that differs. The legend bar under the plot names it too."""
    rank = wait_for("the Rank spin button", lambda: find(app, pyatspi.ROLE_SPIN_BUTTON, "Rank"))
    kept_rank = int(rank.queryValue().currentValue)
    click(app, "Keep")
    wait_for("the kept run in the legend bar",
             lambda: find(app, pyatspi.ROLE_LABEL, "same settings"))
    rank.queryValue().currentValue = kept_rank + 1
    wait_for("the new rank", lambda: rank.queryValue().currentValue == kept_rank + 1)
    wait_for("iteration 0 after the rank change", lambda: iteration(app) == 0)
    click(app, "Run")
    wait_for("a few iterations", lambda: (iteration(app) or 0) > 20
             or find(app, pyatspi.ROLE_PUSH_BUTTON, "Run"))
    pause(app)
    wanted = "rank %d" % kept_rank
    plot = wait_for("the loss plot", lambda: find(app, pyatspi.ROLE_IMAGE, "Cost against iteration"))
    legend = wait_for("two legend entries", lambda: "Cost" in plot.description
                      and wanted in plot.description and plot.description)
    entries = [e.strip() for e in legend.split(":", 1)[1].split(";")]
    assert entries[0] == "Cost" and wanted in entries, legend
    chip = wait_for("the legend bar's entry", lambda: find(app, pyatspi.ROLE_LABEL, wanted))
    print("legend: %s; legend bar: %s" % ("; ".join(entries), chip.name))


def png_size(path):
    """The width and height in a PNG's IHDR, or None while the file is not
    a whole PNG yet."""
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError:
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def check_export_png(app):
    """Shift+F10 on the focused loss plot opens its context menu. Ctrl+E
    there opens the save dialog; a path typed
    into its name entry and Enter write the plot as PNG there, at its size
    on screen (the size choice's default), and a toast says so."""
    plot = wait_for("the loss plot", lambda: find(app, pyatspi.ROLE_IMAGE, "Cost against iteration"))

    # Bare Xvfb has no window manager: the window is at 0, 0. The banner
    # of the last check may still be sliding in or out: the plot's size is
    # the one it keeps for a second.
    def settled():
        before = plot.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        time.sleep(1.0)
        after = plot.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        same = (before.x, before.y, before.width, before.height) == \
            (after.x, after.y, after.width, after.height)
        return after if same else None

    extents = wait_for("the loss plot's size to settle", settled)
    # A click gives the plot the focus; the pointer then leaves it, so
    # that no readout is drawn.
    subprocess.run(["xdotool", "mousemove", str(extents.x + extents.width // 2),
                    str(extents.y + extents.height // 2), "click", "1",
                    "mousemove", "0", "0"], check=True)
    wait_for("the focus on the loss plot", lambda: plot.getState().contains(pyatspi.STATE_FOCUSED))
    # Shift+F10 opens the plot's context menu, its first item focused;
    # Escape closes it and gives the plot the focus back.
    subprocess.run(["xdotool", "key", "shift+F10"], check=True)
    item = wait_for("the context menu", lambda: pyatspi.findDescendant(
        app, lambda a: a is not None and a.getRole() == pyatspi.ROLE_MENU_ITEM
        and a.name == "Export Image…" and a.getState().contains(pyatspi.STATE_FOCUSED)))
    subprocess.run(["xdotool", "key", "Escape"], check=True)
    wait_for("the menu to close", lambda: not item.getState().contains(pyatspi.STATE_FOCUSED)
             and plot.getState().contains(pyatspi.STATE_FOCUSED))
    subprocess.run(["xdotool", "key", "ctrl+e"], check=True)
    window = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "Export Image"],
                            check=True, capture_output=True, text=True).stdout.split()[0]
    folder = tempfile.mkdtemp(prefix="factorscope-drive-")
    path = os.path.join(folder, "loss-drive.png")
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True)
    time.sleep(0.5)
    subprocess.run(["xdotool", "key", "ctrl+a", "BackSpace"], check=True)
    subprocess.run(["xdotool", "type", "--delay", "20", path], check=True)
    subprocess.run(["xdotool", "key", "Return"], check=True)
    size = wait_for("the exported PNG", lambda: png_size(path))
    assert size == (extents.width, extents.height), \
        "exported %r, plot on screen %dx%d" % (size, extents.width, extents.height)
    toast = wait_for("the toast", lambda: find(app, pyatspi.ROLE_LABEL, "Saved loss-drive.png"), 10)
    print("export: %s is a %dx%d PNG, as the plot on screen; toast: %s" % (path, size[0], size[1],
                                                                         toast.name))
    os.unlink(path)
    os.rmdir(folder)


def main():
    shot = sys.argv[1]
    app = wait_for("the application on the accessibility bus", find_app)
    wait_for("the status line", lambda: status(app))
    if os.environ.get("FS_DRIVE_FILL"):
        # Bare Xvfb has no window manager to maximize the window.
        subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Factorscope",
                        "windowmove", "0", "0", "windowsize", "100%", "100%"], check=True)
        time.sleep(1)

    check_names(app)
    rank = wait_for("the Rank spin button", lambda: find(app, pyatspi.ROLE_SPIN_BUTTON, "Rank"))
    wanted_rank = int(os.environ.get("FS_DRIVE_RANK", "3"))
    until = int(os.environ.get("FS_DRIVE_UNTIL", "40"))
    rank.queryValue().currentValue = wanted_rank
    wait_for("the rank", lambda: rank.queryValue().currentValue == wanted_rank)
    limit = wait_for("the Iteration limit spin button",
                     lambda: find(app, pyatspi.ROLE_SPIN_BUTTON, "Iteration limit"))
    limit.queryValue().currentValue = 10000000
    wait_for("the new limit", lambda: limit.queryValue().currentValue == 10000000)
    lr = find(app, pyatspi.ROLE_SPIN_BUTTON, "Learning rate")
    assert lr is not None, "no Learning rate spin button"
    wait_for("iteration 0 after the rank change", lambda: iteration(app) == 0)

    check_slow_speed(app)
    # At full speed the run may converge before the drive sees it pass
    # `until`: it then stops by itself.
    click(app, "Run")
    wait_for("the run to start", lambda: find(app, pyatspi.ROLE_PUSH_BUTTON, "Pause")
             or (iteration(app) or 0) > until)
    wait_for("iteration %d" % until,
             lambda: (iteration(app) or 0) > until or find(app, pyatspi.ROLE_PUSH_BUTTON, "Run"))
    time.sleep(0.3)
    subprocess.run(["import", "-window", "root", shot], check=True)
    print("screenshot: %s (%s)" % (shot, status(app)))
    pause(app)
    check_lr_follows_example(app)
    check_inspection(app)
    check_pins(app)
    check_banner_announced(app)
    check_export_png(app)


if __name__ == "__main__":
    main()
