"""Finds the processes an e2e session started, by the marker every child inherits in its
environment (conftest.py sets it), so that other test runs on this machine are never touched:
names alone would not tell them apart."""
import os
import time

SESSION_MARKER = "QUORATE_E2E_SESSION"
OWNER_MARKER = "QUORATE_E2E_OWNER"

# How long a process already sent a signal may take to leave, before it counts as left behind:
# a bound on a failure, not a statement about speed.
EXIT_BOUND_S = 10


def _environ(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []   # gone, a zombie, or not ours to read


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def session_processes(token=None):
    """{pid: (owner, command line)} of live processes carrying this session's marker (pytest's
    own process excluded); `owner` is the test module that was running when it started."""
    token = token or os.environ[SESSION_MARKER]
    marker = f"{SESSION_MARKER}={token}".encode()
    owner_prefix = f"{OWNER_MARKER}=".encode()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        env = _environ(entry)
        if marker not in env:
            continue
        owner = next((v[len(owner_prefix):].decode(errors="replace") for v in env if v.startswith(owner_prefix)), "?")
        found[int(entry)] = (owner, _cmdline(entry))
    return found


def settled_leftovers():
    """The session's processes still alive after giving those on their way out time to exit."""
    deadline = time.monotonic() + EXIT_BOUND_S
    left = session_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = session_processes()
    return left
