"""Drives the real quorate-node and quorate-wallet binaries for end-to-end tests."""
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests
from eth_account import Account

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("QUORATE_BIN", ROOT / ".build" / "release"))
NODE = str(BIN / "quorate-node")
WALLET = str(BIN / "quorate-wallet")
PASSWORD = "correct horse battery staple"
CHAIN_ID = 1337
START_TIMEOUT_S = 60


def run(args, env=None, check=True, timeout=120, input=None):
    full_env = dict(os.environ)
    full_env.pop("QUORATE_PASSWORD", None)
    if env:
        full_env.update(env)
    proc = subprocess.run(args, capture_output=True, text=True, env=full_env, timeout=timeout, input=input)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


class Chain:
    """A fresh single-validator chain in `tmp`: keys, genesis with funded test accounts, init."""

    def __init__(self, tmp: Path, funded_accounts=3, balance_ether=1000, base_fee=0, genesis_args=()):
        """`genesis_args`: extra `quorate-node genesis` flags, or a function of the funded accounts
        that returns them (e.g. `--permissioning --role ADDRESS=admin`)."""
        self.tmp = tmp
        self.datadir = tmp / "node"
        self.password_file = tmp / "password.txt"
        self.password_file.write_text(PASSWORD + "\n")
        os.chmod(self.password_file, 0o600)
        out = run([NODE, "keygen", "--datadir", str(self.datadir), "--password-file", str(self.password_file)]).stdout
        self.validator = re.search(r"validator address: (0x[0-9a-fA-F]{40})", out).group(1)
        self.node_key = re.search(r"node key:\s+(0x[0-9a-f]{66})", out).group(1)
        self.accounts = [Account.create(f"quorate-e2e-{i}") for i in range(funded_accounts)]
        self.genesis = tmp / "genesis.json"
        args = [NODE, "genesis", "--chain-id", str(CHAIN_ID), "--validator", f"{self.validator}:{self.node_key}",
                "--out", str(self.genesis), "--base-fee", str(base_fee)]
        for acct in self.accounts:
            args += ["--alloc", f"{acct.address}={balance_ether}ether"]
        args += list(genesis_args(self.accounts) if callable(genesis_args) else genesis_args)
        run(args)
        run([NODE, "init", "--genesis", str(self.genesis), "--datadir", str(self.datadir)])
        self.process = None
        self.url = None

    def start(self, extra_args=()):
        assert self.process is None
        self.log = open(self.tmp / "node.log", "a")
        self.process = subprocess.Popen(
            [NODE, "start", "--datadir", str(self.datadir), "--rpc-port", "0",
             "--p2p-host", "127.0.0.1", "--p2p-port", "0",
             "--password-file", str(self.password_file), *extra_args],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError(f"node exited {self.process.wait()} before listening; log: {self.read_log()}")
            m = re.search(r"JSON-RPC listening on (http://127\.0\.0\.1:\d+)", line)
            if m:
                self.url = m.group(1)
                break
        else:
            raise AssertionError("node did not start listening in time")
        # Keep draining stdout so the node never blocks on a full pipe.
        import threading
        threading.Thread(target=self._drain, daemon=True).start()
        return self.url

    def _drain(self):
        proc = self.process
        for line in proc.stdout:
            self.log.write(line)
            self.log.flush()

    def read_log(self):
        return (self.tmp / "node.log").read_text() if (self.tmp / "node.log").exists() else ""

    def kill(self, sig=signal.SIGKILL):
        if self.process is None:
            return
        self.process.send_signal(sig)
        self.process.wait(timeout=30)
        self.process = None

    def rpc(self, method, params=None, raw=None, headers=None):
        body = raw if raw is not None else json.dumps(
            {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
        r = requests.post(self.url, data=body, headers={"Content-Type": "application/json", **(headers or {})},
                          timeout=30)
        return r

    def call(self, method, params=None):
        r = self.rpc(method, params).json()
        assert "error" not in r, f"{method} failed: {r['error']}"
        return r["result"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
