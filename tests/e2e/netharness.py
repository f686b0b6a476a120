"""Several quorate-node processes on 127.0.0.1 forming one network: validators and observers."""
import json
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import requests
from eth_account import Account

from quorate import CHAIN_ID, NODE, PASSWORD, free_port, run

WAIT_S = 120  # upper bound on any wait in these tests; never an expected duration


def wait_until(predicate, what, timeout=WAIT_S):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Member:
    def __init__(self, net, name, validator):
        self.net, self.name, self.validator = net, name, validator
        self.datadir = net.root / name
        out = run([NODE, "keygen", "--datadir", str(self.datadir), "--password-file", str(net.password_file)]).stdout
        self.address = re.search(r"validator address: (0x[0-9a-fA-F]{40})", out).group(1)
        self.node_key = re.search(r"node key:\s+(0x[0-9a-f]{66})", out).group(1)
        self.p2p_port = free_port()
        self.process = None
        self.url = None
        self.log_path = net.root / f"{name}.log"

    def node_secret(self) -> int:
        keystore = json.loads((self.datadir / "keys" / "node.json").read_text())
        return int.from_bytes(Account.decrypt(keystore, PASSWORD), "big")

    def start(self):
        assert self.process is None
        args = [NODE, "start", "--datadir", str(self.datadir), "--rpc-port", "0", "--p2p-host", "127.0.0.1",
                "--p2p-port", str(self.p2p_port), "--password-file", str(self.net.password_file)]
        for other in self.net.members:
            if other is not self and other.validator:
                args += ["--peer", f"{other.node_key}@127.0.0.1:{other.p2p_port}"]
        for observer in self.net.observers:
            if observer is not self:
                args += ["--allow-peer", observer.node_key]
        if not self.validator:
            args.append("--non-voting")
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True)
        # Registered at its spawn point, so `stop_all` stops it even if it is not one of the
        # network's genesis members (a node added at run time).
        if self not in self.net.started:
            self.net.started.append(self)
        line = self.process.stdout.readline()
        m = re.search(r"listening on (http://\S+)", line)
        assert m, f"{self.name} did not start: {self.log()}"
        self.url = m.group(1)
        threading.Thread(target=lambda p=self.process: [None for _ in p.stdout], daemon=True).start()

    def kill(self, sig=signal.SIGKILL):
        if self.process:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)
            self.process = None

    def log(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def call(self, method, params=None):
        r = requests.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []},
                          timeout=30).json()
        assert "error" not in r, f"{self.name} {method}: {r['error']}"
        return r["result"]

    def height(self):
        return int(self.call("eth_blockNumber"), 16)

    def block(self, height):
        return self.call("eth_getBlockByNumber", [hex(height), False])


class Network:
    def __init__(self, root: Path, validators=4, observers=0, accounts=4, genesis_args=()):
        self.root = root
        self.password_file = root / "password.txt"
        self.password_file.write_text(PASSWORD + "\n")
        self.members = []
        self.started = []   # every Member that ever started a process, members or not
        self.validators = [self._add(f"v{i}", True) for i in range(validators)]
        self.observers = [self._add(f"o{i}", False) for i in range(observers)]
        self.accounts = [Account.create(f"net-{i}") for i in range(accounts)]
        self.nonces = {a.address: 0 for a in self.accounts}
        genesis = root / "genesis.json"
        args = [NODE, "genesis", "--chain-id", str(CHAIN_ID), "--out", str(genesis), "--heartbeat-ms", "2000"]
        for v in self.validators:
            args += ["--validator", f"{v.address}:{v.node_key}"]
        for a in self.accounts:
            args += ["--alloc", f"{a.address}=1000ether"]
        run(args + list(genesis_args))
        for m in self.members:
            run([NODE, "init", "--genesis", str(genesis), "--datadir", str(m.datadir)])

    def _add(self, name, validator):
        m = Member(self, name, validator)
        self.members.append(m)
        return m

    def start_validators(self):
        for v in self.validators:
            v.start()

    def stop_all(self):
        for m in self.members + [s for s in self.started if s not in self.members]:
            m.kill()

    def transfer(self, member, account, to="0x000000000000000000000000000000000000dEaD", value=1):
        nonce = self.nonces[account.address]
        self.nonces[account.address] += 1
        raw = account.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": to, "value": value,
                                        "gas": 21000, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}).raw_transaction
        return member.call("eth_sendRawTransaction", ["0x" + bytes(raw).hex()])

    def wait_for_receipt(self, member, tx_hash, timeout=WAIT_S):
        deadline = time.time() + timeout
        while time.time() < deadline:
            receipt = member.call("eth_getTransactionReceipt", [tx_hash])
            if receipt:
                return receipt
            time.sleep(0.1)
        raise AssertionError(f"{tx_hash} not committed at {member.name} within {timeout}s")

    def wait_for_height(self, member, height, timeout=WAIT_S):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if member.height() >= height:
                return
            time.sleep(0.1)
        raise AssertionError(f"{member.name} did not reach height {height} within {timeout}s (at {member.height()})")

    def assert_agree(self, members, height):
        """Every member has the same block (hash and state root) at `height`."""
        blocks = [m.block(height) for m in members]
        assert all(b is not None for b in blocks), [m.name for m, b in zip(members, blocks) if b is None]
        assert len({(b["hash"], b["stateRoot"]) for b in blocks}) == 1, [(m.name, b["hash"]) for m, b in zip(members, blocks)]
