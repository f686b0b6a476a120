"""The session's leak check (conftest.py, leakcheck.py) finds what this session started and
nothing else, and names the module that started it."""
import os
import subprocess
import sys

from leakcheck import OWNER_MARKER, SESSION_MARKER, session_processes

# A child that waits on its standard input: it ends when the test closes that, not after a time.
WAITER = [sys.executable, "-c", "import sys; sys.stdin.read()"]


def test_the_leak_check_finds_this_sessions_children_by_their_marker_and_not_another_runs():
    ours = subprocess.Popen(WAITER, stdin=subprocess.PIPE)
    other_env = {**os.environ, SESSION_MARKER: "another-run"}
    theirs = subprocess.Popen(WAITER, stdin=subprocess.PIPE, env=other_env)
    try:
        found = session_processes()
        assert ours.pid in found, found
        owner, cmdline = found[ours.pid]
        assert owner == os.environ[OWNER_MARKER] and owner.endswith("test_leak_check.py")
        assert "sys.stdin.read()" in cmdline
        assert theirs.pid not in found, "a process of another test run was counted as ours"
    finally:
        for proc in (ours, theirs):
            proc.stdin.close()
            proc.wait(timeout=30)
    assert ours.pid not in session_processes(), "an ended child is not left behind"
