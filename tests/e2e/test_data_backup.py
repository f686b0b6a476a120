"""Online backup while the node commits, restore, and the refusals that keep data safe."""
import os
import re
import shutil
import signal
import threading
import time

import pytest
from web3 import Web3

from datatools import grow_chain, head_of, small_tmpfs  # noqa: F401 (fixture)
from quorate import NODE, Chain, run


def backup(chain, out, check=True):
    return run([NODE, "backup", "--rpc", chain.url, "--token-file", str(chain.datadir / "rpc.token"), "--out", str(out)],
               check=check, timeout=300)


def wait_above(w3, height, what, timeout=30):
    """Until the node commits past `height`; the timeout only bounds a failure."""
    deadline = time.time() + timeout
    while w3.eth.block_number <= height:
        assert time.time() < deadline, f"timed out waiting for {what} (still at {height})"
        time.sleep(0.05)


def restore(backup_dir, datadir, *extra, check=False):
    return run([NODE, "restore", "--from", str(backup_dir), "--datadir", str(datadir), *extra], check=check)


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backup-source")
    chain = Chain(tmp, genesis_args=["--heartbeat-ms", "10"])
    grow_chain(chain, 40)
    yield chain
    chain.kill()


def test_an_online_backup_restores_to_a_node_that_catches_up_by_block_sync(running, tmp_path):
    out = tmp_path / "backup"
    done = backup(running, out)
    height = int(re.search(r"at height (0x[0-9a-f]+|\d+)", done.stdout).group(1), 0)
    w3 = Web3(Web3.HTTPProvider(running.url))
    wait_above(w3, height, "the node kept committing during and after the backup")
    assert sorted(os.listdir(out)) == ["chain", "keys", "manifest.json"]

    target = tmp_path / "restored"
    restore(out, target, check=True)
    assert head_of(target) == height
    # Its own node key; it follows the original as a non-voting node.
    spare = tmp_path / "spare"
    run([NODE, "keygen", "--datadir", str(spare), "--password-file", str(running.password_file)])
    shutil.copy(spare / "keys" / "node.json", target / "keys" / "node.json")
    copy = Chain.__new__(Chain)
    copy.tmp, copy.datadir, copy.password_file, copy.process = tmp_path, target, running.password_file, None
    copy.start(["--non-voting"])
    log = ""
    deadline = time.time() + 30
    while not (m := re.search(r"p2p listening on 127\.0\.0\.1:(\d+) as (0x[0-9a-f]{66})", log)):
        assert time.time() < deadline, log
        time.sleep(0.1)
        log = copy.read_log()
    token = (running.datadir / "rpc.token").read_text().strip()
    added = running.rpc("admin_addPeer", [f"{m.group(2)}@127.0.0.1:{m.group(1)}"],
                        headers={"Authorization": f"Bearer {token}"}).json()
    assert added.get("result") is True, added
    target_height = w3.eth.block_number
    restored = Web3(Web3.HTTPProvider(copy.url))
    deadline = time.time() + 60
    while restored.eth.block_number < target_height:
        assert time.time() < deadline, copy.read_log()
        time.sleep(0.1)
    assert restored.eth.get_block(target_height).hash == w3.eth.get_block(target_height).hash
    copy.kill()


def test_a_backup_copied_before_it_finished_is_refused_and_nothing_changes(running, tmp_path):
    out = tmp_path / "backup"
    backup(running, out)
    no_manifest = tmp_path / "no-manifest"
    shutil.copytree(out, no_manifest)
    (no_manifest / "manifest.json").unlink()
    target = tmp_path / "target"
    refused = restore(no_manifest, target)
    assert refused.returncode != 0 and "no manifest.json" in refused.stderr
    assert not (target / "chain").exists()

    half = tmp_path / "half"
    shutil.copytree(out, half)
    tables = sorted((half / "chain").glob("*.ldb")) + sorted((half / "chain").glob("*.log"))
    biggest = max(tables, key=lambda p: p.stat().st_size)
    os.truncate(biggest, biggest.stat().st_size // 2)
    refused = restore(half, target)
    assert refused.returncode != 0
    assert "copied before it was complete" in refused.stderr or "damaged" in refused.stderr, refused.stderr
    assert not (target / "chain").exists() and not (target / "chain.restoring").exists()


def test_a_restore_onto_a_newer_store_is_refused_without_force(running, tmp_path):
    out = tmp_path / "backup"
    done = backup(running, out)
    # A later copy of the same validator's data directory stands for the newer store.
    wait_above(Web3(Web3.HTTPProvider(running.url)), int(re.search(r"at height (0x[0-9a-f]+|\d+)", done.stdout).group(1), 0),
               "a block after the first backup")
    newer = tmp_path / "newer"
    later = tmp_path / "later-backup"
    backup(running, later)
    restore(later, newer, check=True)
    newer_head = head_of(newer)
    refused = restore(out, newer)
    assert refused.returncode != 0 and "double sign" in refused.stderr and "Nothing was changed" in refused.stderr
    assert head_of(newer) == newer_head
    forced = restore(out, newer, "--force", check=True)
    assert "restored" in forced.stdout and head_of(newer) < newer_head
    assert head_of_dir(newer / "chain.before-restore") == newer_head


def head_of_dir(store_path):
    holder = store_path.parent / "peek"
    holder.mkdir(exist_ok=True)
    if (holder / "chain").exists():
        shutil.rmtree(holder / "chain")
    shutil.copytree(store_path, holder / "chain")
    return head_of(holder)


def test_a_restore_over_other_keys_is_refused_without_force(running, tmp_path):
    out = tmp_path / "backup"
    backup(running, out)
    other = tmp_path / "other"
    run([NODE, "keygen", "--datadir", str(other), "--password-file", str(running.password_file)])
    before = (other / "keys" / "validator.json").read_bytes()
    refused = restore(out, other)
    assert refused.returncode != 0 and "differs from the backup's keys/validator.json" in refused.stderr
    assert (other / "keys" / "validator.json").read_bytes() == before and not (other / "chain").exists()


def test_a_backup_onto_a_full_disk_fails_cleanly_and_the_node_goes_on(running, tmp_path, small_tmpfs):
    mount = small_tmpfs(64 * 1024)
    failed = backup(running, mount / "backup", check=False)
    assert failed.returncode != 0 and "disk full" in failed.stderr, failed.stderr
    assert os.listdir(mount) == []
    w3 = Web3(Web3.HTTPProvider(running.url))
    wait_above(w3, w3.eth.block_number, "the node to keep committing after the refused backup")


def test_kill_9_during_a_backup_leaves_a_store_that_opens(tmp_path):
    chain = Chain(tmp_path, genesis_args=["--heartbeat-ms", "10"])
    grow_chain(chain, 30)
    out = tmp_path / "backup"
    worker = threading.Thread(target=lambda: backup(chain, out, check=False))
    worker.start()
    time.sleep(0.05)
    chain.kill(signal.SIGKILL)
    worker.join()
    height = head_of(chain.datadir)
    assert height >= 30
    if not (out / "manifest.json").exists():
        refused = restore(out if out.exists() else tmp_path / "backup.partial", tmp_path / "target")
        assert refused.returncode != 0
    chain.start()
    w3 = Web3(Web3.HTTPProvider(chain.url))
    deadline = time.time() + 30
    while w3.eth.block_number <= height:
        assert time.time() < deadline
        time.sleep(0.1)
    chain.kill()
