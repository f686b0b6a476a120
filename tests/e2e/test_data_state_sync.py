"""A fresh node started with --state-sync takes a validator's certified state, serves correct balances with
proofs at once, answers for older state with the oldest height, and keeps up by block sync; kill -9 during
state sync leaves a store that opens and syncs again."""
import re
import signal
import subprocess
import time

from eth_account import Account
from web3 import Web3

import proofcheck  # noqa: F401 (the proof format is checked in test_web3; here the values)
from datatools import send
from quorate import CHAIN_ID, NODE, Chain, run


def keygen(tmp, name, password_file):
    out = run([NODE, "keygen", "--datadir", str(tmp / name), "--password-file", str(password_file)]).stdout
    return tmp / name, re.search(r"node key:\s+(0x[0-9a-f]{66})", out).group(1)


def fresh(tmp, chain, name):
    datadir, key = keygen(tmp, name, chain.password_file)
    run([NODE, "init", "--genesis", str(chain.genesis), "--datadir", str(datadir)])
    node = Chain.__new__(Chain)
    node.tmp, node.datadir, node.password_file, node.process = datadir, datadir, chain.password_file, None
    return node, key


def p2p_port(chain):
    deadline = time.time() + 30
    while time.time() < deadline:
        m = re.search(r"p2p listening on 127\.0\.0\.1:(\d+)", chain.read_log())
        if m:
            return int(m.group(1))
        time.sleep(0.05)
    raise AssertionError(chain.read_log())


def test_a_state_synced_node_serves_the_certified_state_and_follows_the_chain(tmp_path):
    chain = Chain(tmp_path, genesis_args=["--heartbeat-ms", "20"])
    syncing, syncing_key = fresh(tmp_path, chain, "synced")
    chain.start(["--allow-peer", syncing_key])
    w3 = Web3(Web3.HTTPProvider(chain.url))
    recipients = [Account.create(f"sync-{i}").address for i in range(30)]
    hashes = [send(w3, chain.accounts[0], n, to, 100 + n) for n, to in enumerate(recipients)]
    last = max(w3.eth.wait_for_transaction_receipt(h, timeout=60, poll_latency=0.02).blockNumber for h in hashes)
    peer = f"{chain.node_key}@127.0.0.1:{p2p_port(chain)}"

    syncing.start(["--non-voting", "--state-sync", "--peer", peer])
    log = syncing.read_log()
    m = re.search(r"state sync: installed block (\d+)", log)
    assert m, log
    installed = int(m.group(1))
    assert installed >= last and "state sync: peer" in log
    mine = Web3(Web3.HTTPProvider(syncing.url))
    for n, to in enumerate(recipients):
        assert mine.eth.get_balance(to) == 100 + n
    proof = syncing.call("quorate_getProof", [recipients[3], hex(installed)])
    assert int(proof["account"]["balance"], 16) == 103
    assert proof["stateRoot"] == w3.eth.get_block(installed).stateRoot.to_0x_hex()
    older = syncing.rpc("eth_getBalance", [recipients[0], hex(installed - 1)]).json()
    assert f"missing trie node (state at block {installed - 1} is not held: pruned or before a state sync; the oldest available state is at block {installed})" in older["error"]["message"], older
    # Block sync takes over from the installed height.
    target = w3.eth.block_number + 5
    deadline = time.time() + 60
    while mine.eth.block_number < target:
        assert time.time() < deadline, syncing.read_log()
        time.sleep(0.05)
    assert mine.eth.get_block(target).hash == w3.eth.get_block(target).hash
    syncing.kill()
    chain.kill()


def test_a_state_synced_node_executes_blockhash_below_its_snapshot_as_the_validator_does(tmp_path):
    """BLOCKHASH of a height below the snapshot reads a header that state sync brought along, so the
    synced node reaches the validator's state root for the block that calls it (without the header it
    read zero, computed another root and refused the block)."""
    chain = Chain(tmp_path, genesis_args=["--heartbeat-ms", "20"])
    syncing, syncing_key = fresh(tmp_path, chain, "synced")
    chain.start(["--allow-peer", syncing_key])
    w3 = Web3(Web3.HTTPProvider(chain.url))
    deployer = chain.accounts[0]
    fees = {"chainId": CHAIN_ID, "gas": 100_000, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}
    # Runtime: SSTORE(0, BLOCKHASH(first calldata word)); the initcode copies it out and returns it.
    runtime = "6000354060005500"
    deploy = deployer.sign_transaction({**fees, "type": 2, "nonce": 0, "data": "0x6008600c60003960086000f3" + runtime})
    created = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(deploy.raw_transaction), timeout=60,
                                                  poll_latency=0.02)
    contract = created.contractAddress
    assert w3.eth.get_code(contract).hex().removeprefix("0x") == runtime
    deadline = time.time() + 30
    while w3.eth.block_number < created.blockNumber + 5:
        assert time.time() < deadline, chain.read_log()
        time.sleep(0.02)
    peer = f"{chain.node_key}@127.0.0.1:{p2p_port(chain)}"

    syncing.start(["--non-voting", "--state-sync", "--peer", peer])
    installed = int(re.search(r"state sync: installed block (\d+)", syncing.read_log()).group(1))
    below = installed - 3
    call = deployer.sign_transaction({**fees, "type": 2, "nonce": 1, "to": contract,
                                      "data": "0x" + below.to_bytes(32, "big").hex()})
    mined = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(call.raw_transaction), timeout=60,
                                                poll_latency=0.02)
    assert mined.status == 1 and mined.blockNumber - below <= 256
    expected = w3.eth.get_block(below).hash
    assert w3.eth.get_storage_at(contract, 0, mined.blockNumber) == expected
    mine = Web3(Web3.HTTPProvider(syncing.url))
    deadline = time.time() + 60
    while mine.eth.block_number < mined.blockNumber:
        assert time.time() < deadline, syncing.read_log()
        time.sleep(0.05)
    assert mine.eth.get_block(mined.blockNumber).stateRoot == w3.eth.get_block(mined.blockNumber).stateRoot
    assert mine.eth.get_storage_at(contract, 0, mined.blockNumber) == expected
    syncing.kill()
    chain.kill()


def test_kill_9_during_state_sync_leaves_a_store_that_opens_and_syncs_again(tmp_path):
    chain = Chain(tmp_path, genesis_args=["--heartbeat-ms", "20"])
    syncing, syncing_key = fresh(tmp_path, chain, "synced")
    chain.start(["--allow-peer", syncing_key])
    w3 = Web3(Web3.HTTPProvider(chain.url))
    hashes = [send(w3, chain.accounts[0], n, Account.create(f"kill-{n}").address, 1) for n in range(20)]
    for h in hashes:
        w3.eth.wait_for_transaction_receipt(h, timeout=60, poll_latency=0.02)
    peer = f"{chain.node_key}@127.0.0.1:{p2p_port(chain)}"
    log = open(tmp_path / "killed.log", "w")
    proc = subprocess.Popen([NODE, "start", "--datadir", str(syncing.datadir), "--rpc-port", "0", "--p2p-host", "127.0.0.1",
                             "--p2p-port", "0", "--password-file", str(chain.password_file), "--non-voting",
                             "--state-sync", "--peer", peer], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 30
    while "state sync: peer" not in (tmp_path / "killed.log").read_text():
        assert time.time() < deadline, (tmp_path / "killed.log").read_text()
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    syncing.start(["--non-voting", "--state-sync", "--peer", peer])
    mine = Web3(Web3.HTTPProvider(syncing.url))
    deadline = time.time() + 60
    while mine.eth.block_number < w3.eth.block_number - 2:
        assert time.time() < deadline, syncing.read_log()
        time.sleep(0.05)
    assert mine.eth.get_balance(chain.accounts[0].address) == w3.eth.get_balance(chain.accounts[0].address, mine.eth.block_number)
    syncing.kill()
    chain.kill()
