"""SIGKILL right after a receipt: everything committed survives and the chain goes on."""
import signal

import pytest

from eth_account import Account
from web3 import Web3

import proofcheck
from quorate import CHAIN_ID, NODE, Chain, run


def send(w3, sender, nonce, to, value):
    raw = sender.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": to, "value": value,
                                   "gas": 21000, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}).raw_transaction
    return w3.eth.send_raw_transaction(raw)


def test_sigkill_after_a_receipt_keeps_every_block_transaction_receipt_and_balance(tmp_path):
    chain = Chain(tmp_path)
    chain.start()
    w3 = Web3(Web3.HTTPProvider(chain.url))
    recipient = Account.create("restart-recipient").address
    hashes = [send(w3, chain.accounts[0], n, recipient, 10 + n) for n in range(3)]
    receipts = [w3.eth.wait_for_transaction_receipt(h, timeout=60, poll_latency=0.02) for h in hashes]
    chain.kill(signal.SIGKILL)  # no shutdown path runs

    chain.start()
    w3 = Web3(Web3.HTTPProvider(chain.url))
    assert w3.eth.block_number >= max(r.blockNumber for r in receipts)
    for h, r in zip(hashes, receipts):
        again = w3.eth.get_transaction_receipt(h)
        assert again.blockHash == r.blockHash and again.status == 1
        assert w3.eth.get_transaction(h).blockNumber == r.blockNumber
        assert w3.eth.get_block(r.blockNumber).hash == r.blockHash
    assert w3.eth.get_balance(recipient) == 10 + 11 + 12
    assert w3.eth.get_transaction_count(chain.accounts[0].address) == 3
    head = w3.eth.block_number

    # The chain continues on top of what survived.
    tx = send(w3, chain.accounts[0], 3, recipient, 100)
    receipt = w3.eth.wait_for_transaction_receipt(tx, timeout=60, poll_latency=0.02)
    assert receipt.blockNumber == head + 1
    assert w3.eth.get_block(receipt.blockNumber).parentHash == w3.eth.get_block(head).hash
    assert w3.eth.get_balance(recipient) == 133
    cert = chain.call("quorate_getBlockCommit", [hex(receipt.blockNumber)])
    assert cert["blockHash"] == receipt.blockHash.to_0x_hex() and len(cert["signatures"]) == 1
    chain.kill()


REBUILT = "again and checked their state roots"


def test_after_sigkill_the_node_executes_the_unwritten_heights_again_and_a_clean_stop_writes_the_tree(tmp_path):
    """The state tree reaches the disk every 16 heights; a kill -9 before that loses nothing."""
    chain = Chain(tmp_path)
    chain.start()
    w3 = Web3(Web3.HTTPProvider(chain.url))
    recipient = Account.create("rebuild-recipient").address
    receipts = [w3.eth.wait_for_transaction_receipt(send(w3, chain.accounts[0], n, recipient, 1 + n), timeout=60,
                                                    poll_latency=0.02) for n in range(4)]
    head = w3.eth.block_number
    assert head < 16, "the test needs a crash before the first write of the tree"
    balances = {h: w3.eth.get_balance(recipient, h) for h in range(1, head + 1)}
    assert balances[head] == 1 + 2 + 3 + 4
    chain.kill(signal.SIGKILL)

    chain.start()
    w3 = Web3(Web3.HTTPProvider(chain.url))
    assert f"executed blocks 1...{head} {REBUILT}" in chain.read_log()
    # Every height the node executed again reads as before, proofs included.
    assert {h: w3.eth.get_balance(recipient, h) for h in range(1, head + 1)} == balances
    proof = chain.call("quorate_getProof", [recipient, hex(receipts[1].blockNumber)])
    assert int(proof["account"]["balance"], 16) == balances[receipts[1].blockNumber]
    receipt = w3.eth.wait_for_transaction_receipt(send(w3, chain.accounts[0], 4, recipient, 100), timeout=60,
                                                  poll_latency=0.02)
    assert receipt.blockNumber == head + 1 and w3.eth.get_balance(recipient) == 110

    # A clean stop writes the tree first: the next start executes nothing again.
    chain.kill(signal.SIGTERM)
    chain.start()
    w3 = Web3(Web3.HTTPProvider(chain.url))
    assert chain.read_log().count(REBUILT) == 1
    assert w3.eth.get_balance(recipient) == 110
    chain.kill()


def test_a_data_directory_refuses_a_second_genesis(tmp_path):
    chain = Chain(tmp_path)
    other = tmp_path / "other.json"
    run([NODE, "genesis", "--chain-id", "999", "--validator", chain.validator, "--out", str(other)])
    refused = run([NODE, "init", "--genesis", str(other), "--datadir", str(chain.datadir)], check=False)
    assert refused.returncode != 0 and "already initialised with another genesis" in refused.stderr


def test_start_without_init_says_what_to_do(tmp_path):
    refused = run([NODE, "start", "--datadir", str(tmp_path / "nothing"), "--non-voting"], check=False)
    assert refused.returncode != 0 and "quorate-node init" in refused.stderr


def test_state_proofs_from_the_node_verify_offline_against_the_block_state_root(chain):
    account = chain.accounts[0].address
    proof = chain.call("quorate_getProof", [account, "latest"])
    block = chain.call("eth_getBlockByNumber", [proof["blockNumber"], False])
    assert proof["stateRoot"] == block["stateRoot"]
    assert proofcheck.verify(proof["proof"], account, block["stateRoot"]) == (0, Web3.to_wei(1000, "ether"))
    absent_address = "0x000000000000000000000000000000000000bEEF"
    absent = chain.call("quorate_getProof", [absent_address, "latest"])
    assert absent["account"] is None
    assert proofcheck.verify(absent["proof"], absent_address, block["stateRoot"]) is None
    # Tampering with the value, a sibling or the root is caught.
    raw = bytearray(bytes.fromhex(proof["proof"][2:]))
    for position in (40, len(raw) - 1):
        bad = bytearray(raw)
        bad[position] ^= 1
        with pytest.raises(ValueError):
            proofcheck.verify("0x" + bad.hex(), account, block["stateRoot"])
    with pytest.raises(ValueError):
        proofcheck.verify(proof["proof"], account, "0x" + "00" * 32)
    with pytest.raises(ValueError):
        proofcheck.verify(proof["proof"], chain.accounts[1].address, block["stateRoot"])
