#!/usr/bin/python3
"""The Flatpak manifest parses and says what README promises: the app id of
the desktop file and metainfo, a command among the binaries meson installs,
exactly the finish-args we explain (no access to the home folder), the two
modules, OpenBLAS from a checksummed tarball and Factorscope with meson.
It cannot be built here (no network for the runtime): this checks its
structure only.

Usage: check-flatpak.py MANIFEST APP_ID BINARY...
"""
import re
import sys

import yaml

FINISH_ARGS = {"--share=ipc", "--socket=fallback-x11", "--socket=wayland", "--device=dri"}

failures = []


def check(ok, what):
    print(("ok      " if ok else "FAILED  ") + what)
    if not ok:
        failures.append(what)


def check_openblas(module):
    sources = module.get("sources", [])
    archive = sources[0] if sources else {}
    check(archive.get("type") == "archive"
          and str(archive.get("url", "")).endswith("/OpenBLAS-0.3.28.tar.gz")
          and re.fullmatch(r"[0-9a-f]{64}", str(archive.get("sha256", ""))) is not None,
          "OpenBLAS 0.3.28 from its release tarball, with a sha256")
    commands = " ".join(module.get("build-commands", []))
    check("NO_STATIC=1" in commands and "install" in commands and "PREFIX=/app" in commands,
          "OpenBLAS installed into /app as a shared library (NO_STATIC=1)")
    check("lapacke.pc" in commands, "a lapacke.pc for meson's dependency('lapacke')")


def main():
    manifest_path, app_id, binaries = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(manifest_path, encoding="utf-8") as f:
        manifest = yaml.safe_load(f)

    check(manifest.get("app-id") == app_id, f"app-id is {app_id}")
    check(manifest.get("runtime") == "org.gnome.Platform"
          and manifest.get("sdk") == "org.gnome.Sdk"
          and str(manifest.get("runtime-version")) == "47",
          "GNOME 47 runtime and SDK")
    check(manifest.get("command") in binaries,
          f"command {manifest.get('command')} is an installed binary ({', '.join(binaries)})")
    finish_args = manifest.get("finish-args", [])
    check(set(finish_args) == FINISH_ARGS and len(finish_args) == len(FINISH_ARGS),
          "finish-args: " + " ".join(finish_args))
    check(not any(a.startswith("--filesystem") for a in finish_args),
          "no --filesystem: files come through the portal")

    modules = {m.get("name"): m for m in manifest.get("modules", []) if isinstance(m, dict)}
    check(list(modules) == ["openblas", "factorscope"], "modules: openblas, then factorscope")
    if "openblas" in modules:
        check_openblas(modules["openblas"])
    if "factorscope" in modules:
        app = modules["factorscope"]
        check(app.get("buildsystem") == "meson"
              and app.get("sources", [{}])[0].get("type") in ("dir", "git"),
              "factorscope built with meson from this tree (or git)")
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
