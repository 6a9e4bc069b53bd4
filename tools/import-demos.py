#!/usr/bin/python3
"""The README's import picture, from the real app as a user sees it.

The app is started with tests/data/import-ui/survey.csv (30 respondents,
their ids in the first column, five answers from 1 to 5). The loader takes
the ids as row labels by its rule for numbers, so the Import Options sheet
pops up by itself; once it has drawn, the sheet's own window is saved (no
window manager runs under Xvfb: the sheet would cover the main window's
corner in a picture of the whole screen). The sheet is first made as tall
as a user would drag it to see all of it: at its default 760 pixels the
Storage rows push the preview below its bottom edge.

Usage (through tools/import-demos): import-demos.py OUTPUT.png
"""
import subprocess
import sys
import time


def sheet_window():
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Import Options$"],
                           capture_output=True, text=True, check=True, timeout=60)
    return found.stdout.split()[0]


def spread(window):
    """How much the window's pixels vary: 0 until it has drawn."""
    out = subprocess.run(["import", "-window", window, "-format", "%[fx:standard_deviation]", "info:"],
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip() or 0)


# The whole sheet, Reading, the preview's 8 rows with the ellipsis under
# them, and Storage (tools/import-demos gives the display the height).
WIDTH, HEIGHT = 720, 960


def main():
    shot = sys.argv[1]
    window = sheet_window()
    subprocess.run(["xdotool", "windowsize", window, str(WIDTH), str(HEIGHT)], check=True)
    deadline = time.monotonic() + 30
    while spread(window) < 0.05:
        if time.monotonic() > deadline:
            sys.exit("the Import Options sheet did not draw")
        time.sleep(0.5)
    # The preview and the labels settle in a frame or two more.
    time.sleep(1.5)
    subprocess.run(["import", "-window", window, shot], check=True)
    print(shot)


main()
