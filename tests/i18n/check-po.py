#!/usr/bin/python3
"""The translations' bookkeeping, as TAP:
- every file of the tree with a translatable string (_(, N_(, C_(,
  ngettext, g_dngettext, translatable="yes", gettext-domain=) is in
  po/POTFILES, and every file listed there exists and has one;
- a pot made now from the sources (with meson's own xgettext options)
  leaves nothing untranslated or fuzzy in any language of po/LINGUAS, so a
  new string that nobody translated fails here;
- msgfmt --check (formats, plural forms, header) passes on every po file.

Usage: check-po.py SOURCE_ROOT
"""
import os
import re
import subprocess
import sys
import tempfile

# Where sources with user-visible strings live; tests and tools are not
# translated.
SOURCE_DIRS = ("app", "core", "ui", "resources", "data")
SOURCE_SUFFIXES = (".c", ".h", ".ui", ".xml", ".in", ".desktop")
MARKS = re.compile(r'\b(?:N?C?_|ngettext|g_dngettext|g_dpgettext2)\s*\(|translatable="yes"|'
                   r'gettext-domain=')
COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)

# Meson's own xgettext options for preset: 'glib' (po/meson.build), so that
# this pot is the one `meson compile factorscope-pot` makes.
try:
    from mesonbuild.modules.i18n import PRESET_ARGS
    XGETTEXT_ARGS = PRESET_ARGS["glib"]
except ImportError:
    XGETTEXT_ARGS = ["--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
                     "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
                     "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
                     "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
                     "--flag=NC_:2:pass-c-format", "--flag=g_dngettext:2:pass-c-format"]

results = []


def check(ok, what, details=""):
    results.append((ok, what, details))


def marked_files(root):
    found = set()
    for top in SOURCE_DIRS:
        for folder, _dirs, files in os.walk(os.path.join(root, top)):
            for name in files:
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                if name.endswith((".c", ".h")):
                    # A comment that names N_() is not a string.
                    text = COMMENTS.sub(" ", text)
                if MARKS.search(text):
                    found.add(os.path.relpath(path, root))
    return found


def listed_files(root):
    with open(os.path.join(root, "po", "POTFILES"), encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def check_potfiles(root):
    listed = listed_files(root)
    marked = marked_files(root)
    unlisted = sorted(marked - set(listed))
    check(not unlisted, "every file with translatable strings is in po/POTFILES",
          "not listed: " + ", ".join(unlisted))
    missing = [p for p in listed if not os.path.isfile(os.path.join(root, p))]
    check(not missing, "every file in po/POTFILES exists", "missing: " + ", ".join(missing))
    # A .desktop.in or .metainfo.xml.in is translated through its ITS rules,
    # not through marks: only C and GtkBuilder files must hold a mark.
    unmarked = [p for p in listed if p not in marked and os.path.isfile(os.path.join(root, p))
                and p.endswith((".c", ".h", ".ui"))]
    check(not unmarked, "every C or .ui file in po/POTFILES has a translatable string",
          "no strings: " + ", ".join(unmarked))
    duplicated = sorted({p for p in listed if listed.count(p) > 1})
    check(not duplicated, "po/POTFILES lists each file once", "twice: " + ", ".join(duplicated))


def languages(root):
    path = os.path.join(root, "po", "LINGUAS")
    with open(path, encoding="utf-8") as f:
        return [w for line in f for w in line.split("#")[0].split()]


def statistics(po):
    """msgfmt's counts of translated, fuzzy and untranslated messages."""
    done = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po],
                          capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    counts = {}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", done.stderr):
        counts[kind] = int(number)
    return done.returncode, counts, done.stderr.strip()


def check_languages(root, tmp):
    pot = os.path.join(tmp, "factorscope.pot")
    made = subprocess.run(["xgettext", "--package-name=factorscope", "-D", root,
                           "-f", os.path.join(root, "po", "POTFILES"), "-o", pot] + XGETTEXT_ARGS,
                          capture_output=True, text=True)
    check(made.returncode == 0 and os.path.isfile(pot), "xgettext makes the pot from the sources",
          made.stderr)
    if made.returncode != 0:
        return
    for lang in languages(root):
        po = os.path.join(root, "po", lang + ".po")
        if not os.path.isfile(po):
            check(False, f"{lang}: po/{lang}.po exists")
            continue
        status, counts, text = statistics(po)
        check(status == 0, f"{lang}: msgfmt --check passes on po/{lang}.po", text)
        merged = os.path.join(tmp, lang + ".po")
        subprocess.run(["msgmerge", "--quiet", "-o", merged, po, pot], check=True)
        status, counts, text = statistics(merged)
        check(status == 0 and counts.get("fuzzy", 0) == 0 and counts.get("untranslated", 0) == 0
              and counts.get("translated", 0) > 0,
              f"{lang}: every message of the sources' pot is translated, none fuzzy",
              text + " (run tools/update-po, then translate what it reports)")


def main():
    root = os.path.abspath(sys.argv[1])
    check_potfiles(root)
    with tempfile.TemporaryDirectory() as tmp:
        check_languages(root, tmp)
    print(f"1..{len(results)}")
    for n, (ok, what, details) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {n} {what}")
        if not ok and details:
            for line in details.splitlines():
                print(f"# {line}")
    return 0 if all(ok for ok, _w, _d in results) else 1


if __name__ == "__main__":
    sys.exit(main())
