"""Hosts as Linux network namespaces, for fault tests of real node processes.

One namespace per host plus a hub namespace holding a bridge; each host has a veth `eth0` on
that bridge with an address in 10.77.0.0/24. Nothing is created in the namespace this process
runs in, and no address exists outside these namespaces, so no test traffic can leave them.

Faults, with what this kernel offers (no netem qdisc, no gact action):
- cut: on the receiving host's `eth0`, a tc u32 filter matching the sender's address redirects
  its packets (mirred) into `sink`, a veth whose other end drops them;
- loss and delay: the host's hub-side veth is taken off the bridge and a user-space forwarder
  (netfwd.py, AF_PACKET) carries frames between it and a new veth on the bridge, dropping and
  delaying each direction as asked.

Every name starts with a prefix unique to this process (`qn<pid>-`); `close()` kills what runs
in the namespaces and deletes them (which deletes their links), and an atexit hook does the same
if a test dies. `cleanup_stale()` removes what an earlier, killed run left behind.
"""
import atexit
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

SUBNET = "10.77.0"
CLONE_NEWNET = 0x40000000
FORWARDER = Path(__file__).with_name("netfwd.py")
_libc = ctypes.CDLL(None, use_errno=True)


def unavailable_reason():
    """Why namespaces cannot be made here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root (run the suite as root, as CI does)"
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian package iproute2, in tools/install-deps)"
    probe = f"qn{os.getpid()}-probe"
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if r.returncode != 0:
        return f"cannot create a network namespace: {r.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def sh(*args, check=True):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r


def cleanup_stale():
    """Deletes namespaces of earlier runs whose process is gone."""
    out = sh("ip", "netns", "list", check=False).stdout
    for name in re.findall(r"^(qn(\d+)-\S+)", out, re.M):
        full, pid = name
        if not Path(f"/proc/{pid}").exists():
            _delete_namespace(full)


def _delete_namespace(name):
    pids = sh("ip", "netns", "pids", name, check=False).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    sh("ip", "netns", "del", name, check=False)


class Lab:
    """`count` hosts on one bridge. Host i has address `ip(i)`; `ns(i)` is its namespace."""

    def __init__(self, count):
        self.prefix = f"qn{os.getpid()}-"
        self.count = count
        self.hub = self.prefix + "hub"
        self.forwarders = {}
        self.cut_pairs = set()
        self._closed = False
        atexit.register(self.close)
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    def ns(self, i):
        return f"{self.prefix}h{i}"

    def ip(self, i):
        return f"{SUBNET}.{10 + i}"

    def _build(self):
        sh("ip", "netns", "add", self.hub)
        sh("ip", "-n", self.hub, "link", "set", "lo", "up")
        sh("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.hub, "link", "set", "br0", "up")
        for i in range(self.count):
            ns = self.ns(i)
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", f"p{i}", "netns", self.hub)
            sh("ip", "-n", ns, "addr", "add", f"{self.ip(i)}/24", "dev", "eth0")
            # Frames no larger than the MTU, so the forwarder can pass each one on as it is.
            sh("ip", "-n", ns, "link", "set", "eth0", "gso_max_segs", "1")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", ns, "link", "add", "sink", "type", "veth", "peer", "name", "sinkp")
            sh("ip", "-n", ns, "link", "set", "sink", "up")
            sh("ip", "-n", ns, "link", "set", "sinkp", "up")
            sh("tc", "-n", ns, "qdisc", "add", "dev", "eth0", "ingress")
            sh("ip", "-n", self.hub, "link", "set", f"p{i}", "master", "br0")
            sh("ip", "-n", self.hub, "link", "set", f"p{i}", "up")

    # Processes and sockets inside a host

    def exec_args(self, i):
        return ["ip", "netns", "exec", self.ns(i)]

    def socket_in(self, i, family, kind):
        """A socket created inside host i's namespace (it stays there whichever thread uses it)."""
        import socket
        result = {}

        def make():
            fd = os.open(f"/run/netns/{self.ns(i)}", os.O_RDONLY)
            try:
                if _libc.setns(fd, CLONE_NEWNET) != 0:
                    result["error"] = OSError(ctypes.get_errno(), "setns")
                    return
                result["socket"] = socket.socket(family, kind)
            finally:
                os.close(fd)

        # setns moves only the calling thread; a short-lived one keeps ours where it is.
        t = threading.Thread(target=make)
        t.start()
        t.join()
        if "error" in result:
            raise result["error"]
        return result["socket"]

    # Faults

    def partition(self, *groups):
        """Cuts every link between hosts of different groups (hosts in no group keep theirs)."""
        side = {h: g for g, members in enumerate(groups) for h in members}
        pairs = {(a, b) for a in side for b in side if side[a] != side[b]}
        for a, b in sorted(pairs - self.cut_pairs):
            self.cut_one_way(b, a)

    def cut_one_way(self, src, dst):
        """Drops everything host `src` sends to host `dst` (at dst's ingress)."""
        if (src, dst) in self.cut_pairs:
            return
        sh("tc", "-n", self.ns(dst), "filter", "add", "dev", "eth0", "parent", "ffff:", "protocol", "ip",
           "prio", "1", "u32", "match", "ip", "src", f"{self.ip(src)}/32",
           "action", "mirred", "egress", "redirect", "dev", "sink")
        self.cut_pairs.add((src, dst))

    def heal(self):
        """Removes every cut at once (all filters of every host)."""
        for dst in sorted({d for _, d in self.cut_pairs}):
            sh("tc", "-n", self.ns(dst), "filter", "del", "dev", "eth0", "parent", "ffff:", check=False)
        self.cut_pairs.clear()

    def impair(self, i, loss_in=0.0, loss_out=0.0, delay_ms=0, seed=1):
        """Loss (probability per frame) toward host i (`loss_in`) and from it (`loss_out`), and a
        fixed delay each way, by a forwarder between host i and the bridge."""
        self.clear_impairment(i)
        hub = self.hub
        sh("ip", "-n", hub, "link", "add", f"f{i}", "type", "veth", "peer", "name", f"b{i}")
        sh("ip", "-n", hub, "link", "set", f"p{i}", "nomaster")
        for dev in (f"f{i}", f"b{i}"):
            sh("ip", "-n", hub, "link", "set", dev, "up")
        sh("ip", "-n", hub, "link", "set", f"b{i}", "master", "br0")
        proc = subprocess.Popen(
            ["ip", "netns", "exec", hub, sys.executable, str(FORWARDER), "--host-side", f"p{i}", "--bridge-side", f"f{i}",
             "--loss-in", str(loss_in), "--loss-out", str(loss_out), "--delay-ms", str(delay_ms), "--seed", str(seed)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        if "forwarding" not in line:
            proc.kill()
            raise RuntimeError(f"forwarder did not start: {line} {proc.stderr.read()}")
        self.forwarders[i] = proc

    def clear_impairment(self, i):
        proc = self.forwarders.pop(i, None)
        if proc is None:
            return
        proc.kill()
        proc.wait(timeout=10)
        sh("ip", "-n", self.hub, "link", "del", f"f{i}", check=False)
        sh("ip", "-n", self.hub, "link", "set", f"p{i}", "master", "br0")

    def clear_faults(self):
        self.heal()
        for i in list(self.forwarders):
            self.clear_impairment(i)

    def close(self):
        if self._closed:
            return
        self._closed = True
        for proc in self.forwarders.values():
            proc.kill()
        for i in range(self.count):
            _delete_namespace(self.ns(i))
        _delete_namespace(self.hub)
        atexit.unregister(self.close)


def wait_until(predicate, what, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
