#!/usr/bin/python3
"""Quitting ends promptly (issue 17, issue 19 defect 1): the real app, under
its own X display (run by with-display.sh), opens a large file; Ctrl+Q,
pressed while the file loads or while f* (the SVD of a 4000 x 4000 matrix,
several seconds) is computed, must hide the window at once and end the
process with status 0 within 2 s.

The app says what it is doing through its debug messages
(G_MESSAGES_DEBUG=fs-session): "Loading NAME", "Read NAME", "Computing the
singular values of a R × C matrix".
Usage: quit-prompt.py FACTORSCOPE"""
import os
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

app = sys.argv[1]
LIMIT = 2.0          # seconds from Ctrl+Q to the end of the process
HIDE_LIMIT = LIMIT   # the window goes first (a figure to report)
# The window's first drawing of a large matrix keeps its main thread busy
# for seconds (many more under AddressSanitizer): Ctrl+Q is pressed once the
# main thread has gone quiet, waiting at most this long.
SETTLE = 60
failures = []
passes = []


def check(condition, what):
    print(("ok - " if condition else "FAILED - ") + what, flush=True)
    (passes if condition else failures).append(what)


class App:
    """The app on a file, its debug lines collected as they come."""

    def __init__(self, path, **extra_env):
        env = dict(os.environ, G_MESSAGES_DEBUG="fs-session factorscope", **extra_env)
        self.lines = []
        self.cond = threading.Condition()
        # GLib writes debug messages to standard output.
        self.proc = subprocess.Popen([app, path], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, errors="replace")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self.cond.notify_all()

    def said(self, text):
        with self.cond:
            return any(text in line for _, line in self.lines)

    def wait_for(self, text, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while not any(text in line for _, line in self.lines):
                left = end - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return False
                self.cond.wait(min(left, 0.1))
        return True

    def output(self):
        with self.cond:
            return "\n".join(line for _, line in self.lines[-20:])


def visible_windows():
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "Factorscope"],
                         capture_output=True, text=True).stdout
    return out.split()


def main_thread_seconds(pid):
    """CPU seconds the process's main thread (its thread id is the pid) has used."""
    with open(f"/proc/{pid}/task/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the name: field 3 (state) is fields[0]; utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pid, timeout, span=1.0, share=0.2):
    """Wait until the main thread used under share of a CPU over span seconds
    (the worker threads may be busy); returns the seconds waited or None."""
    start = time.monotonic()
    try:
        before = main_thread_seconds(pid)
        while time.monotonic() - start < timeout:
            time.sleep(span)
            now = main_thread_seconds(pid)
            if now - before < share * span:
                return time.monotonic() - start
            before = now
    except OSError:
        pass
    return None


def wait_for_window(timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        windows = visible_windows()
        if windows:
            return windows[0]
        time.sleep(0.05)
    return None


def quit_and_time(running, what, settle):
    """Ctrl+Q once the window has been shown for settle seconds (None: once
    its main thread has gone quiet); returns
    (seconds to exit or None, seconds to hide or None, status)."""
    window = wait_for_window(30)
    check(window is not None, f"{what}: the window is shown")
    if window is None:
        return None, None, None
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=False, timeout=10)
    if settle is None:
        quiet = wait_until_quiet(running.proc.pid, SETTLE)
        print(f"# the main thread went quiet after "
              f"{'more than %d' % SETTLE if quiet is None else '%.1f' % quiet} s", flush=True)
    else:
        time.sleep(settle)
    start = time.monotonic()
    print(f"# Ctrl+Q at {time.strftime('%H:%M:%S')}.{int(time.time() * 1000) % 1000:03d}", flush=True)
    subprocess.run(["xdotool", "key", "ctrl+q"], check=True, timeout=10)
    hidden = None
    status = None
    while time.monotonic() - start < 10:
        if hidden is None and not visible_windows():
            hidden = time.monotonic() - start
        status = running.proc.poll()
        if status is not None:
            break
        time.sleep(0.02)
    elapsed = time.monotonic() - start if status is not None else None
    if hidden is None and status is not None:
        hidden = elapsed
    if status is None:
        running.proc.kill()
        running.proc.wait()
    return elapsed, hidden, status


def report(what, elapsed, hidden, status, running):
    shown = "did not end within 10 s" if elapsed is None else f"ended in {elapsed:.2f} s"
    print(f"# {what}: {shown}, window hidden after "
          f"{'never' if hidden is None else f'{hidden:.2f} s'}, status {status}", flush=True)
    with running.cond:
        for _, line in running.lines:
            if "factorscope-DEBUG" in line:
                print("# " + line.split("DEBUG: ", 1)[-1], flush=True)
    check(status == 0, f"{what}: exit status 0")
    check(elapsed is not None and elapsed < LIMIT, f"{what}: ends within {LIMIT} s")
    check(hidden is not None and hidden < HIDE_LIMIT, f"{what}: the window goes within {HIDE_LIMIT} s")
    if status != 0:
        print(running.output(), file=sys.stderr)


def quit_during_optimum(folder):
    path = os.path.join(folder, "big.npy")
    np.save(path, np.random.default_rng(1).random((4000, 4000)))
    running = App(path)
    marker = "Computing the singular values of a 4000 × 4000 matrix"
    check(running.wait_for(marker, 120), "f*: the app computes the SVD of the 4000 × 4000 matrix")
    # The window's first drawing of a 4000 x 4000 matrix keeps its main
    # thread busy for a second or more here (the heatmaps' block means):
    # let it pass, this measures the quit.
    with running.cond:
        began = next(t for t, line in running.lines if marker in line)
    elapsed, hidden, status = quit_and_time(running, "quit during f*", None)
    print(f"# Ctrl+Q came {time.monotonic() - began - (elapsed or 0):.1f} s after the SVD began",
          flush=True)
    check(not running.said("Computing the singular values of a 4000 × 4000 matrix: done"),
          "f*: Ctrl+Q came before the SVD ended")
    report("quit during f*", elapsed, hidden, status, running)


def quit_during_load(folder):
    path = os.path.join(folder, "big.csv")
    rng = np.random.default_rng(2)
    row = (",".join(f"{v:.6f}" for v in rng.random(2000)) + "\n").encode()
    with open(path, "wb") as f:
        # 600 rows of 2000 numbers, 11 MB, read in a few ms: the app is told
        # to make every load last a minute (FS_TEST_MIN_LOAD_MS), so that
        # Ctrl+Q surely comes while the file is being read.
        for i in range(600):
            f.write(row)
    running = App(path, FS_TEST_MIN_LOAD_MS="60000")
    check(running.wait_for("Loading big.csv", 60), "load: the app starts reading the file")
    # Nothing large is drawn yet (the window shows the low-rank example):
    # press at once, while the reading has far to go, however fast it is.
    elapsed, hidden, status = quit_and_time(running, "quit during a load", 0.3)
    check(not running.said("Read big.csv"), "load: Ctrl+Q came before the file was read")
    report("quit during a load", elapsed, hidden, status, running)


with tempfile.TemporaryDirectory(prefix="factorscope-quit-") as folder:
    quit_during_optimum(folder)
    quit_during_load(folder)

print(f"{len(passes)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
