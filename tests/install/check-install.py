#!/usr/bin/python3
"""`meson install` into a fresh DESTDIR puts everything in place, and the
installed app runs from there: the files a GNOME desktop expects exist, the
data formats get their MIME types, both binaries answer --version without a
display, and the app's --check-install passes (and names what is missing
once a file is removed).

Usage: check-install.py MESON BUILDDIR BINDIR DATADIR (absolute, as configured)
With DESTDIR, meson skips the post-install scripts (glib-compile-schemas,
update-mime-database): this script runs the two it needs in the copy.
"""
import os
import subprocess
import sys
import tempfile

APP_ID = "org.factorscope.Factorscope"
VERSION = "0.1.0"

failures = []


def check(ok, what):
    print(("ok      " if ok else "FAILED  ") + what)
    if not ok:
        failures.append(what)


def run(command, env=None, expect=0):
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != expect:
        print(result.stdout + result.stderr, file=sys.stderr)
    return result


def without_display():
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    return env


def expected_files(bindir, datadir):
    return [
        os.path.join(bindir, "factorscope"),
        os.path.join(bindir, "factorscope-cli"),
        os.path.join(datadir, "applications", APP_ID + ".desktop"),
        os.path.join(datadir, "metainfo", APP_ID + ".metainfo.xml"),
        os.path.join(datadir, "icons", "hicolor", "scalable", "apps", APP_ID + ".svg"),
        os.path.join(datadir, "icons", "hicolor", "symbolic", "apps", APP_ID + "-symbolic.svg"),
        os.path.join(datadir, "mime", "packages", APP_ID + ".xml"),
        os.path.join(datadir, "glib-2.0", "schemas", APP_ID + ".gschema.xml"),
    ]


def check_versions(bindir):
    env = without_display()
    for name in ("factorscope-cli", "factorscope"):
        result = run([os.path.join(bindir, name), "--version"], env)
        check(result.returncode == 0 and result.stdout == f"{name} {VERSION}\n",
              f"{name} --version says “{name} {VERSION}” without a display")


def check_mime_types(datadir, tmp):
    """The shared-mime-info package gives .npy, .mtx and sessions their
    types, by name and, for the first two, by content alone."""
    run(["update-mime-database", os.path.join(datadir, "mime")])
    env = dict(os.environ, XDG_DATA_DIRS=datadir + ":/usr/share", XDG_DATA_HOME=tmp)
    probe = ("import sys\n"
             "from gi.repository import Gio\n"
             "for name, data in ((sys.argv[1], None), (None, b'\\x93NUMPY\\x01\\x00'),\n"
             "                   ('a.mtx', None), (None, b'%%MatrixMarket matrix'),\n"
             "                   ('a.factorscope', None)):\n"
             "    print(Gio.content_type_guess(name, data)[0])\n")
    result = run(["/usr/bin/python3", "-c", probe, "a.npy"], env)
    check(result.stdout.split() == ["application/x-npy", "application/x-npy",
                                    "text/x-matrix-market", "text/x-matrix-market",
                                    "application/x-factorscope-session"],
          "the MIME types of .npy, .mtx and .factorscope files (by name and content): "
          + " ".join(result.stdout.split()))


def check_install_option(bindir, datadir):
    schemas = os.path.join(datadir, "glib-2.0", "schemas")
    run(["glib-compile-schemas", schemas])
    env = dict(without_display(), FS_DATADIR=datadir, GSETTINGS_SCHEMA_DIR=schemas)
    app = os.path.join(bindir, "factorscope")
    result = run([app, "--check-install"], env)
    print(result.stdout, end="")
    check(result.returncode == 0 and "MISSING" not in result.stdout,
          "factorscope --check-install passes in the installed tree")

    # The check must notice a file that is not there, and name it.
    icon = expected_files(bindir, datadir)[4]
    os.rename(icon, icon + ".away")
    result = run([app, "--check-install"], env, expect=1)
    os.rename(icon + ".away", icon)
    check(result.returncode == 1 and f"MISSING {icon}" in result.stdout,
          "factorscope --check-install fails and names a removed icon")


def main():
    meson, builddir, bindir, datadir = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as tmp:
        destdir = os.path.join(tmp, "destdir")
        result = run([meson, "install", "-C", builddir, "--no-rebuild", "--quiet",
                      "--destdir", destdir])
        check(result.returncode == 0, "meson install --destdir")
        bindir = destdir + bindir
        datadir = destdir + datadir
        for path in expected_files(bindir, datadir):
            check(os.path.isfile(path), "installed: " + os.path.relpath(path, destdir))
        if failures:
            return 1
        check_versions(bindir)
        check_mime_types(datadir, tmp)
        check_install_option(bindir, datadir)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
