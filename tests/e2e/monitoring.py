"""A tools/testnet network for the monitoring and explorer tests: start, query, kill, stop."""
import json
import os
import signal
import socket
import time
from pathlib import Path

import requests

from quorate import ROOT, free_port, run

TESTNET = str(ROOT / "tools" / "testnet")
NODES = 4   # tools/testnet's validators


def eventually(what, check, timeout=90, interval=0.5):
    """Polls `check` until it returns something truthy; fails naming `what` after `timeout` seconds."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = check()
            if last:
                return last
        except (requests.RequestException, ValueError, KeyError) as error:
            last = error
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout} s (last: {last!r})")


def free_port_run(count):
    """The first of `count` consecutive ports that are free now: tools/testnet numbers node i's
    ports from a base, and one free port alone let node i > 0 collide with another process."""
    for _ in range(100):
        base = free_port()
        if base + count <= 65536 and all(_bindable(base + i) for i in range(1, count)):
            return base
    raise AssertionError(f"found no {count} consecutive free ports")


def _bindable(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class LocalNet:
    """`tools/testnet up` in `root`, on free ports; `node_args` go to every `quorate-node start`."""

    def __init__(self, root: Path, monitoring=False, node_args=""):
        self.dir = root / "net"
        self.rpc_base = free_port_run(NODES)
        self.prometheus_port = free_port()
        self.env = {"QUORATE_TESTNET_DIR": str(self.dir), "QUORATE_RPC_BASE_PORT": str(self.rpc_base),
                    "QUORATE_P2P_BASE_PORT": str(free_port_run(NODES)), "QUORATE_PROMETHEUS_PORT": str(self.prometheus_port),
                    "QUORATE_TESTNET_BIN": os.environ.get("QUORATE_BIN", str(ROOT / ".build" / "release")),
                    "QUORATE_TESTNET_NODE_ARGS": node_args}
        self.monitoring = monitoring
        self.output = ""

    def up(self):
        try:
            self.output = run([TESTNET, "up"] + (["--monitoring"] if self.monitoring else []), env=self.env,
                              timeout=300).stdout
        except BaseException:
            # The nodes (and Prometheus) started before the failure would outlive the suite.
            self.down()
            raise
        self.pids = [int(p) for p in (self.dir / "pids").read_text().split()]
        return self

    def down(self):
        return run([TESTNET, "down"], env=self.env, check=False).stdout

    def url(self, i):
        return f"http://127.0.0.1:{self.rpc_base + i}"

    def rpc(self, i, method, params=None):
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
        answer = requests.post(self.url(i), json=body, timeout=10).json()
        assert "error" not in answer, answer
        return answer["result"]

    def address(self, i):
        """The validator address of node i (it reports itself in quorate_health)."""
        return next(v["address"] for v in self.rpc(i, "quorate_health")["validators"] if v["self"])

    def kill(self, i):
        os.kill(self.pids[i], signal.SIGKILL)

    def promql(self, query):
        answer = requests.get(f"http://127.0.0.1:{self.prometheus_port}/api/v1/query", params={"query": query}, timeout=10).json()
        assert answer["status"] == "success", answer
        return answer["data"]["result"]

    def accounts(self):
        return (self.dir / "accounts.txt").read_text().split()

    def account_key(self, address):
        """The private key of a dev account, from its keystore (pbkdf2, so this is quick)."""
        from eth_account import Account
        password = (self.dir / "password.txt").read_text().strip()
        for path in (self.dir / "accounts").iterdir():
            keystore = json.loads(path.read_text())
            if keystore.get("address", "").lower() == address[2:].lower():
                return Account.from_key(Account.decrypt(keystore, password))
        raise AssertionError(f"no keystore for {address}")
