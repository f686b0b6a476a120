"""Pruning on a running node: old state answers geth's 'missing trie node' with the oldest height, recent state
stays readable, and a kill -9 while pruning leaves a store that opens and goes on."""
import signal
import time

from eth_account import Account
from web3 import Web3

from datatools import send
from quorate import Chain

RETENTION = 20


def wait_height(w3, height, timeout=60):
    deadline = time.time() + timeout
    while w3.eth.block_number < height:
        assert time.time() < deadline, f"no block {height}"
        time.sleep(0.05)


def test_pruned_state_answers_missing_trie_node_with_the_oldest_height_and_recent_state_stays(tmp_path):
    chain = Chain(tmp_path, genesis_args=["--heartbeat-ms", "10"])
    chain.start(["--state-retention-heights", str(RETENTION), "--block-retention-heights", "256"])
    w3 = Web3(Web3.HTTPProvider(chain.url))
    recipient = Account.create("pruning-recipient").address
    receipts = []
    for n in range(5):
        receipts.append(w3.eth.wait_for_transaction_receipt(send(w3, chain.accounts[0], n, recipient, 1 + n),
                                                            timeout=60, poll_latency=0.02))
    early = receipts[0].blockNumber
    wait_height(w3, early + 4 * RETENTION)
    # The pruner works in the background: wait for its effect (bounded), not for its period.
    deadline = time.time() + 60
    while "error" not in (answer := chain.rpc("eth_getBalance", [recipient, hex(early)]).json()):
        assert time.time() < deadline, f"state at {early} still served: {answer}"
        time.sleep(0.05)
    assert "missing trie node" in answer["error"]["message"], answer
    oldest = int(answer["error"]["message"].rsplit("block ", 1)[1].rstrip(")"))
    head = w3.eth.block_number
    assert early < oldest <= head - RETENTION
    recent = w3.eth.block_number - 5  # the pruner keeps moving: stay inside the window
    assert w3.eth.get_balance(recipient, recent) == 15
    assert w3.eth.get_balance(recipient) == 15
    proof = chain.call("quorate_getProof", [recipient, hex(recent)])
    assert int(proof["account"]["balance"], 16) == 15
    refused = chain.rpc("quorate_getProof", [recipient, hex(early)]).json()
    assert "missing trie node" in refused["error"]["message"]

    # kill -9 while the pruner works, then the store opens, serves the same state and goes on.
    chain.kill(signal.SIGKILL)
    chain.start(["--state-retention-heights", str(RETENTION)])
    w3 = Web3(Web3.HTTPProvider(chain.url))
    assert w3.eth.get_balance(recipient) == 15
    after = w3.eth.block_number
    receipt = w3.eth.wait_for_transaction_receipt(send(w3, chain.accounts[0], 5, recipient, 100), timeout=60,
                                                  poll_latency=0.02)
    assert receipt.blockNumber > after and w3.eth.get_balance(recipient) == 115
    chain.kill()


def test_an_archive_node_keeps_every_state(tmp_path):
    chain = Chain(tmp_path, genesis_args=["--heartbeat-ms", "10"])
    chain.start(["--state-retention-heights", "all"])
    w3 = Web3(Web3.HTTPProvider(chain.url))
    recipient = Account.create("archive-recipient").address
    first = w3.eth.wait_for_transaction_receipt(send(w3, chain.accounts[0], 0, recipient, 7), timeout=60,
                                                poll_latency=0.02).blockNumber
    wait_height(w3, first + 3 * RETENTION)
    time.sleep(1.2)
    assert w3.eth.get_balance(recipient, first) == 7 and w3.eth.get_balance(recipient, first - 1) == 0
    chain.kill()


def test_block_retention_below_the_blockhash_window_is_a_usage_error(tmp_path):
    import subprocess
    from quorate import NODE
    chain = Chain(tmp_path, funded_accounts=1)
    out = subprocess.run([NODE, "start", "--datadir", str(chain.datadir), "--password-file", str(chain.password_file),
                          "--block-retention-heights", "255"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert "--block-retention-heights must be a number of heights >= 256" in out.stderr and "BLOCKHASH" in out.stderr
