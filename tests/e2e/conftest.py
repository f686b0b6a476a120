import os
import signal
import time
import uuid

import pytest

from quorate import Chain

# Every process this session starts (nodes, the bench, tools/testnet's nodes and prometheus,
# chromium and chromedriver, netfwd and other helpers, also inside network namespaces) inherits
# these variables: that is how the leak check below finds the session's own processes and none
# of another test run going on at the same time on this machine. Names alone would not do.
SESSION_MARKER = "QUORATE_E2E_SESSION"
OWNER_MARKER = "QUORATE_E2E_OWNER"
session_token = f"{os.getpid()}-{uuid.uuid4().hex}"
os.environ[SESSION_MARKER] = session_token

# How long a process already sent a signal may take to leave, before it counts as left behind:
# a bound on a failure, not a statement about speed.
EXIT_BOUND_S = 10

leaks = []   # (owner, pid, command line) of processes found alive after their module ended


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


def session_processes():
    """{pid: (owner, command line)} of live processes started by this session (not pytest)."""
    marker = f"{SESSION_MARKER}={session_token}".encode()
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


def _settled_leftovers():
    """The session's processes still alive after giving those on their way out time to exit."""
    deadline = time.monotonic() + EXIT_BOUND_S
    left = session_processes()
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = session_processes()
    return left


@pytest.fixture(autouse=True, scope="module")
def nothing_left_behind_by_the_module(request):
    """Tags what the module starts with its name; after its fixtures are torn down, records and
    kills whatever of it still runs, so that the session's end can name the module."""
    os.environ[OWNER_MARKER] = request.node.nodeid
    yield
    for pid, (owner, cmdline) in sorted(_settled_leftovers().items()):
        leaks.append((owner, pid, cmdline))
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def pytest_sessionfinish(session, exitstatus):
    for pid, (owner, cmdline) in sorted(_settled_leftovers().items()):
        leaks.append((owner, pid, cmdline))
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if not leaks:
        return
    lines = [f"  pid {pid} started by {owner}: {cmdline}" for owner, pid, cmdline in leaks]
    message = "the e2e session left processes running (killed now):\n" + "\n".join(lines)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "processes left behind", red=True)
        reporter.write_line(message)
    else:
        print(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture()
def chain(tmp_path):
    c = Chain(tmp_path)
    c.start()
    yield c
    c.kill()
