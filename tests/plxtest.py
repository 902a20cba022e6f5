"""plxtest: the reporting side of Plexus's system and interop tests.

A test script defines cases with @case and ends with run(); each case
prints PASS, FAIL or SKIP as tests/run-tests counts them.  run() runs
only the cases of the script itself, so a script may import another
one's helpers (and its cases) without running them twice.  Paths to the
build come from PLX_BUILDDIR and PLX_SRCDIR, which make check sets.
Run with Debian's /usr/bin/python3 (python3-scapy and friends live
there)."""

import os
import shutil
import sys
import traceback

BUILDDIR = os.environ.get("PLX_BUILDDIR", "")
SRCDIR = os.environ.get("PLX_SRCDIR", "")
SUITE = os.path.splitext(os.path.basename(sys.argv[0]))[0]
_cases = []


class Skip(Exception):
    """Raised by a case that cannot run here; the message says why."""


def case(function):
    _cases.append(function)
    return function


def build_path(*parts):
    if not BUILDDIR:
        raise Skip("PLX_BUILDDIR not set (run through make check)")
    return os.path.join(BUILDDIR, *parts)


def require_program(name):
    path = shutil.which(name)
    if not path:
        raise Skip("%s not installed" % name)
    return path


def require_root():
    if os.geteuid() != 0:
        raise Skip("needs root")


def run(argv=None):
    pattern = (argv or sys.argv)[1] if len(argv or sys.argv) > 1 else None
    for function in _cases:
        name = "%s/%s" % (SUITE, function.__name__)
        if function.__module__ != "__main__":
            continue
        if pattern and pattern not in function.__name__:
            continue
        try:
            function()
        except Skip as e:
            print("SKIP %s: %s" % (name, e), flush=True)
        except Exception as e:
            traceback.print_exc()
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            print("FAIL %s: %s" % (name, reason), flush=True)
        else:
            print("PASS %s" % name, flush=True)
