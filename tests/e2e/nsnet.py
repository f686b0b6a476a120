"""Quorate nodes, each on its own host (network namespace, netns.Lab), under a steady signed load,
with the checks every fault scenario ends with. Used by test_partitions.py and
tools/partition-bench."""
import http.client
import json
import re
import socket
import subprocess
import threading
import time

import netharness
from netns import Lab
from quorate import CHAIN_ID, NODE

P2P_PORT = 30303
SINK = "0x000000000000000000000000000000000000dEaD"


class NsMember(netharness.Member):
    """A node on host `index` of the lab: P2P on the host's address, JSON-RPC on the host's
    loopback (reached through a socket made inside that namespace)."""

    def __init__(self, net, name, validator, index):
        super().__init__(net, name, validator)
        self.index = index
        self.p2p_port = P2P_PORT

    @property
    def host(self):
        return self.net.lab.ip(self.index)

    def start(self):
        assert self.process is None
        args = self.net.lab.exec_args(self.index) + [
            NODE, "start", "--datadir", str(self.datadir), "--rpc-port", "0", "--p2p-host", self.host,
            "--p2p-port", str(self.p2p_port), "--password-file", str(self.net.password_file)]
        for other in self.net.members:
            if other is not self and other.validator:
                args += ["--peer", f"{other.node_key}@{other.host}:{other.p2p_port}"]
        for observer in self.net.observers:
            if observer is not self:
                args += ["--allow-peer", observer.node_key]
        if not self.validator:
            args.append("--non-voting")
        with open(self.log_path, "a") as log:
            log.write(f"--- start at {time.time():.3f}\n")
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.process.stdout.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        assert m, f"{self.name} did not start: {line} {self.log()[-2000:]}"
        self.rpc_port = int(m.group(1))
        self.url = f"http://{self.name}-ns:{self.rpc_port}"
        threading.Thread(target=lambda p=self.process: [None for _ in p.stdout], daemon=True).start()

    def call(self, method, params=None, timeout=10):
        result = self.try_call(method, params, timeout)
        assert "error" not in result, f"{self.name} {method}: {result['error']}"
        return result["result"]

    def try_call(self, method, params=None, timeout=10):
        """The JSON-RPC response object (with "result" or "error"); raises on transport errors."""
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
        conn = _NsHTTPConnection(self.net.lab, self.index, self.rpc_port, timeout)
        try:
            conn.request("POST", "/", body, {"Content-Type": "application/json"})
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def alive(self):
        return self.process is not None and self.process.poll() is None


class _NsHTTPConnection(http.client.HTTPConnection):
    def __init__(self, lab, index, port, timeout):
        super().__init__("127.0.0.1", port, timeout=timeout)
        self.lab, self.index = lab, index

    def connect(self):
        self.sock = self.lab.socket_in(self.index, socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.connect((self.host, self.port))


class NsNetwork(netharness.Network):
    """`validators` validators and `observers` non-voting nodes, host i = member i."""

    def __init__(self, root, validators=4, observers=0, accounts=None):
        self.lab = Lab(validators + observers)
        self._next_index = 0
        try:
            super().__init__(root, validators=validators, observers=observers,
                             accounts=accounts or validators + observers)
        except BaseException:
            self.lab.close()
            raise

    def _add(self, name, validator):
        m = NsMember(self, name, validator, self._next_index)
        self._next_index += 1
        self.members.append(m)
        return m

    def start_all(self):
        for m in self.members:
            m.start()

    def close(self):
        try:
            self.stop_all()
        finally:
            self.lab.close()

    def heads(self, members=None):
        out = {}
        for m in members or self.members:
            if m.alive():
                try:
                    out[m.name] = m.height()
                except (OSError, AssertionError, http.client.HTTPException):
                    pass
        return out

    def max_head(self, members=None):
        return max(self.heads(members).values(), default=0)


class Load:
    """About `rate` signed transfers a second, account i sending to its home member. A transfer
    is acknowledged once a node answered with its hash (or "already known" for a resend); one
    that failed is sent again with the same nonce and the same bytes, so a gap never forms."""

    def __init__(self, net, homes, rate=20):
        self.net, self.rate = net, rate
        self.homes = dict(homes)          # account index -> member
        self.paused = set()
        self.acked = {}                   # tx hash -> (account index, nonce)
        self.next_nonce = {i: 0 for i in self.homes}
        self.errors = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=30)

    def pause(self, account):
        with self._lock:
            self.paused.add(account)

    def resume(self, account, home=None):
        with self._lock:
            self.paused.discard(account)
            if home is not None:
                self.homes[account] = home

    def acked_count(self):
        with self._lock:
            return len(self.acked)

    def acked_by(self, account):
        with self._lock:
            return [h for h, (a, _) in self.acked.items() if a == account]

    def _raw(self, account, nonce):
        acct = self.net.accounts[account]
        signed = acct.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": SINK, "value": 1,
                                        "gas": 21000, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0})
        return "0x" + bytes(signed.raw_transaction).hex(), "0x" + bytes(signed.hash).hex()

    def _run(self):
        accounts = sorted(self.homes)
        turn = 0
        while not self._stop.is_set():
            started = time.time()
            with self._lock:
                account = accounts[turn % len(accounts)]
                home = self.homes[account]
                skip = account in self.paused or not home.alive()
                nonce = self.next_nonce[account]
            turn += 1
            if not skip:
                self._send(account, home, nonce)
            time.sleep(max(0.0, 1.0 / self.rate - (time.time() - started)))

    def _send(self, account, home, nonce):
        raw, tx_hash = self._raw(account, nonce)
        try:
            r = home.try_call("eth_sendRawTransaction", [raw], timeout=3)
        except (OSError, http.client.HTTPException, ValueError):
            return   # no answer: the same nonce goes again on the account's next turn
        error = r.get("error", {}).get("message", "")
        if "error" in r and "already known" not in error:
            if "nonce too low" in error:
                # An earlier attempt went through without its answer reaching us.
                with self._lock:
                    self.acked.setdefault(tx_hash, (account, nonce))
                    self.next_nonce[account] = nonce + 1
            else:
                self.errors.append(f"{home.name}: {error}")
            return
        with self._lock:
            self.acked[tx_hash] = (account, nonce)
            self.next_nonce[account] = nonce + 1


class Ledger:
    """Every node's blocks, fetched once each (committed blocks never change)."""

    def __init__(self, net):
        self.net = net
        self.blocks = {}   # member name -> [(hash, [tx hashes])] for heights 1...

    def sync(self, member):
        chain = self.blocks.setdefault(member.name, [])
        head = member.height()
        for h in range(len(chain) + 1, head + 1):
            b = member.block(h)
            chain.append((b["hash"], b["transactions"]))
        return chain


def wait_until(predicate, what, timeout):
    deadline = time.time() + timeout
    last_error = None
    while time.time() < deadline:
        try:
            if predicate():
                return time.time()
        except (OSError, AssertionError, http.client.HTTPException) as e:
            last_error = e
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last error: {last_error})")


def check_consistent(net, load, ledger, timeout=90):
    """No fork; every acknowledged transaction in the same block on every node; nonces and
    balances equal everywhere. Waits (bounded) for the acknowledged ones to commit first."""
    members = [m for m in net.members if m.alive()]
    with load._lock:
        acked = dict(load.acked)
    first = members[0]

    def all_committed():
        where = {tx for _, txs in ledger.sync(first) for tx in txs}
        return all(h in where for h in acked)

    try:
        wait_until(all_committed, f"{len(acked)} acknowledged transactions to commit at {first.name}", timeout)
    except AssertionError:
        where = {tx for _, txs in ledger.sync(first) for tx in txs}
        missing = [(h, acked[h]) for h in acked if h not in where]
        raise AssertionError(f"{len(missing)} acknowledged transactions never committed, e.g. {missing[:5]}")
    target = first.height()
    for m in members:
        net.wait_for_height(m, target, timeout=timeout)
    chains = {m.name: ledger.sync(m)[:target] for m in members}
    reference = chains[first.name]
    for name, chain in chains.items():
        for h, (a, b) in enumerate(zip(reference, chain), start=1):
            assert a[0] == b[0], f"fork at height {h}: {first.name} has {a[0]}, {name} has {b[0]}"
    placed = {tx: h for h, (_, txs) in enumerate(reference, start=1) for tx in txs}
    assert all(tx in placed for tx in acked), "an acknowledged transaction is missing from the common chain"
    assert len(placed) == sum(len(txs) for _, txs in reference), "a transaction appears twice"
    tag = hex(target)
    for acct in net.accounts:
        address = acct.address
        views = {m.name: (m.call("eth_getTransactionCount", [address, tag]), m.call("eth_getBalance", [address, tag]))
                 for m in members}
        assert len(set(views.values())) == 1, f"{address} differs between nodes at height {target}: {views}"
    sink = {m.call("eth_getBalance", [SINK, tag]) for m in members}
    assert len(sink) == 1, f"the sink's balance differs between nodes: {sink}"
    return target
