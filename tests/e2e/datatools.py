"""Helpers for the data tests: a source chain with many blocks, the export file's records."""
import hashlib
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

from eth_account import Account
from web3 import Web3

from quorate import CHAIN_ID, NODE, Chain, run

HEADER_BYTES = 70


def send(w3, sender, nonce, to, value):
    raw = sender.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": to, "value": value,
                                   "gas": 21000, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}).raw_transaction
    return w3.eth.send_raw_transaction(raw)


def grow_chain(chain, min_height, transfers=6):
    """Runs `chain` (made with a short heartbeat) until `min_height`, with a few transfers in it."""
    chain.start()
    w3 = Web3(Web3.HTTPProvider(chain.url))
    recipient = Account.create("data-recipient").address
    hashes = [send(w3, chain.accounts[0], n, recipient, 1000 + n) for n in range(transfers)]
    for h in hashes:
        w3.eth.wait_for_transaction_receipt(h, timeout=60, poll_latency=0.02)
    deadline = time.time() + 120
    while w3.eth.block_number < min_height:
        assert time.time() < deadline, "the chain did not grow"
        time.sleep(0.1)
    return w3, recipient


def fresh_store(tmp: Path, genesis: Path, name="copy"):
    datadir = tmp / name
    run([NODE, "init", "--genesis", str(genesis), "--datadir", str(datadir)])
    return datadir


def head_of(datadir):
    """The head height of a stopped node's store (`export` names it when asked past it)."""
    import re
    out = run([NODE, "export", "--datadir", str(datadir), "--out", "/nonexistent/x", "--to", "999999999"], check=False)
    if "no block after genesis" in out.stderr:
        return 0
    m = re.search(r"is past the head \((\d+)\)", out.stderr)
    assert m, out.stderr
    return int(m.group(1))


def records(path: Path):
    """(offset, kind, payload) of every record after the header."""
    data = path.read_bytes()
    out, at = [], HEADER_BYTES
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        out.append((at, data[at + 4], data[at + 5:at + 5 + length]))
        at += 9 + length
    return out


def record_bytes(kind, payload):
    body = struct.pack(">I", len(payload)) + bytes([kind]) + payload
    return body + hashlib.sha256(body).digest()[:4]


def mount_tmpfs(path: Path, size_bytes: int):
    """A small tmpfs at `path` (root only), to make a disk fill up."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(path)], check=True,
                   capture_output=True)
    return path


@pytest.fixture()
def small_tmpfs(tmp_path):
    """Mounts tmpfs file systems of a given size under tmp_path; skips when mounting is not allowed."""
    mounts = []

    def make(size_bytes):
        path = tmp_path / f"tmpfs{len(mounts)}"
        try:
            mount_tmpfs(path, size_bytes)
        except (subprocess.CalledProcessError, FileNotFoundError) as error:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {error}")
        mounts.append(path)
        return path

    yield make
    for path in mounts:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
