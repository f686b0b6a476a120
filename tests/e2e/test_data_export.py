"""Export and import: round trip, re-import, and each kind of bad file, refused with the store unchanged."""
import os
import shutil
import signal
import subprocess
import time

import pytest
import rlp
from web3 import Web3

from datatools import fresh_store, grow_chain, head_of, record_bytes, records, small_tmpfs  # noqa: F401 (fixture)
from quorate import NODE, Chain, run

MIN_HEIGHT = 150


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A stopped chain of at least MIN_HEIGHT blocks (heartbeat 10 ms) and its full export."""
    tmp = tmp_path_factory.mktemp("source")
    chain = Chain(tmp, genesis_args=["--heartbeat-ms", "10"])
    w3, recipient = grow_chain(chain, MIN_HEIGHT)
    online = tmp / "online.qexp"
    token = (chain.datadir / "rpc.token").read_text().strip()
    answer = chain.rpc("admin_exportBlocks", [str(online), "0x1", hex(MIN_HEIGHT)],
                       headers={"Authorization": f"Bearer {token}"}).json()
    assert answer["result"]["to"] == hex(MIN_HEIGHT), answer
    unauthorized = chain.rpc("admin_exportBlocks", [str(tmp / "x.qexp")]).json()
    assert unauthorized["error"]["code"] == -32001 and not (tmp / "x.qexp").exists()
    balance = w3.eth.get_balance(recipient, MIN_HEIGHT)
    chain.kill(signal.SIGTERM)
    full = tmp / "full.qexp"
    run([NODE, "export", "--datadir", str(chain.datadir), "--out", str(full), "--to", str(MIN_HEIGHT)])
    return {"chain": chain, "tmp": tmp, "file": full, "online": online, "recipient": recipient, "balance": balance}


def import_(datadir, path, check=False):
    return run([NODE, "import", "--datadir", str(datadir), "--in", str(path)], check=check, timeout=300)


def test_an_online_export_equals_the_offline_one_and_imports_to_the_same_chain(source, tmp_path):
    assert source["online"].read_bytes() == source["file"].read_bytes()
    datadir = fresh_store(tmp_path, source["chain"].genesis)
    done = import_(datadir, source["file"], check=True)
    assert f"head is now {MIN_HEIGHT}" in done.stdout
    again = import_(datadir, source["file"], check=True)
    assert "nothing to import" in again.stdout and head_of(datadir) == MIN_HEIGHT
    # The imported node serves the same balances as the original.
    copy = Chain.__new__(Chain)
    copy.tmp, copy.datadir, copy.password_file, copy.process = tmp_path, datadir, source["chain"].password_file, None
    copy.start(["--non-voting"])
    w3 = Web3(Web3.HTTPProvider(copy.url))
    assert w3.eth.get_balance(source["recipient"], MIN_HEIGHT) == source["balance"]
    copy.kill()


def test_a_file_of_another_chain_is_refused_naming_both_chains(source, tmp_path):
    other = Chain(tmp_path, funded_accounts=1)  # same chain id, other validator: another genesis
    refused = import_(other.datadir, source["file"])
    assert refused.returncode != 0 and "refusing a file from another chain" in refused.stderr
    assert head_of(other.datadir) == 0


def test_a_truncated_file_is_refused_and_nothing_is_imported(source, tmp_path):
    data = source["file"].read_bytes()
    for cut in (len(data) - 3, records(source["file"])[-1][0], len(data) // 2):
        bad = tmp_path / f"cut{cut}.qexp"
        bad.write_bytes(data[:cut])
        datadir = fresh_store(tmp_path, source["chain"].genesis, f"cut{cut}")
        refused = import_(datadir, bad)
        assert refused.returncode != 0 and "truncated" in refused.stderr, refused.stderr
        assert head_of(datadir) == 0


def test_a_flipped_bit_is_refused_at_its_record_and_nothing_is_imported(source, tmp_path):
    data = bytearray(source["file"].read_bytes())
    offset, _, _ = records(source["file"])[40]
    data[offset + 60] ^= 0x04
    bad = tmp_path / "flipped.qexp"
    bad.write_bytes(bytes(data))
    datadir = fresh_store(tmp_path, source["chain"].genesis)
    refused = import_(datadir, bad)
    assert refused.returncode != 0 and f"record at byte {offset} (after height 40): checksum mismatch" in refused.stderr, refused.stderr
    assert head_of(datadir) == 0


def test_a_gap_is_refused_naming_the_missing_heights(source, tmp_path):
    part = tmp_path / "part.qexp"
    run([NODE, "export", "--datadir", str(source["chain"].datadir), "--out", str(part), "--from", "30", "--to", "40"])
    datadir = fresh_store(tmp_path, source["chain"].genesis)
    refused = import_(datadir, part)
    assert refused.returncode != 0 and "blocks 1...29 are missing" in refused.stderr, refused.stderr
    assert head_of(datadir) == 0


def test_a_forged_certificate_is_refused_with_its_height_and_the_blocks_below_stay(source, tmp_path):
    data = source["file"].read_bytes()
    recs = records(source["file"])
    forged_height = 20
    offset, kind, payload = recs[forged_height - 1]
    block, cert = rlp.decode(payload)
    height, round_, block_hash, sigs = rlp.decode(cert)
    signature = bytearray(sigs[0][1])
    signature[5] ^= 0x01
    sigs[0][1] = bytes(signature)
    forged = record_bytes(kind, rlp.encode([block, rlp.encode([height, round_, block_hash, sigs])]))
    next_offset = recs[forged_height][0]
    bad = tmp_path / "forged.qexp"
    bad.write_bytes(data[:offset] + forged + data[next_offset:])
    datadir = fresh_store(tmp_path, source["chain"].genesis)
    refused = import_(datadir, bad)
    assert refused.returncode != 0
    assert f"block {forged_height} refused: certificate of block {forged_height} does not verify" in refused.stderr, refused.stderr
    assert head_of(datadir) == forged_height - 1


def test_an_export_onto_a_full_disk_fails_cleanly(source, tmp_path, small_tmpfs):
    mount = small_tmpfs(16 * 1024)
    out = mount / "full.qexp"
    refused = run([NODE, "export", "--datadir", str(source["chain"].datadir), "--out", str(out)], check=False)
    assert refused.returncode != 0 and "is the disk full" in refused.stderr, refused.stderr
    assert os.listdir(mount) == []


def test_an_import_onto_a_full_disk_fails_cleanly_and_completes_once_space_is_freed(source, tmp_path, small_tmpfs):
    mount = small_tmpfs(4 * 1024 * 1024)
    datadir = fresh_store(mount, source["chain"].genesis)
    filler = mount / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    # Room to open the store and commit some blocks, not all.
    os.truncate(filler, max(0, filler.stat().st_size - 48 * 1024))
    refused = import_(datadir, source["file"])
    assert refused.returncode != 0 and "cannot write block" in refused.stderr, refused.stderr
    filler.unlink()
    # The store opens at the last block that reached the disk whole, and the import resumes there.
    assert head_of(datadir) < MIN_HEIGHT
    done = import_(datadir, source["file"], check=True)
    assert f"head is now {MIN_HEIGHT}" in done.stdout


def test_kill_9_during_an_import_leaves_a_store_that_opens_and_finishes_the_import(source, tmp_path):
    datadir = fresh_store(tmp_path, source["chain"].genesis)
    proc = subprocess.Popen([NODE, "import", "--datadir", str(datadir), "--in", str(source["file"])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.15)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert head_of(datadir) <= MIN_HEIGHT
    done = import_(datadir, source["file"], check=True)
    assert f"head is now {MIN_HEIGHT}" in done.stdout or "nothing to import" in done.stdout
