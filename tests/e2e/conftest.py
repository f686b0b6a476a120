import os
import signal
import uuid

import pytest

from leakcheck import OWNER_MARKER, SESSION_MARKER, settled_leftovers
from quorate import Chain

# Every process this session starts (nodes, the bench, tools/testnet's nodes and prometheus,
# chromium and chromedriver, netfwd and other helpers, also inside network namespaces) inherits
# this marker: the leak check below finds the session's own processes by it (leakcheck.py).
os.environ[SESSION_MARKER] = f"{os.getpid()}-{uuid.uuid4().hex}"

leaks = []   # (owner, pid, command line) of processes found alive after their module ended


def _record_and_kill(left):
    for pid, (owner, cmdline) in sorted(left.items()):
        leaks.append((owner, pid, cmdline))
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


@pytest.fixture(autouse=True, scope="module")
def nothing_left_behind_by_the_module(request):
    """Tags what the module starts with its name; after its fixtures are torn down, records and
    kills whatever of the session still runs, so that the session's end names the module."""
    os.environ[OWNER_MARKER] = request.node.nodeid
    yield
    _record_and_kill(settled_leftovers())


def pytest_sessionfinish(session, exitstatus):
    _record_and_kill(settled_leftovers())
    if not leaks:
        return
    lines = [f"  pid {pid} started by {owner}: {cmdline}" for owner, pid, cmdline in leaks]
    message = "the e2e session left processes running (killed now):\n" + "\n".join(lines)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.ensure_newline()
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
