"""SIGKILL right after a receipt: everything committed survives and the chain goes on."""
import signal

from eth_account import Account
from web3 import Web3

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


def test_a_data_directory_refuses_a_second_genesis(tmp_path):
    chain = Chain(tmp_path)
    other = tmp_path / "other.json"
    run([NODE, "genesis", "--chain-id", "999", "--validator", chain.validator, "--out", str(other)])
    refused = run([NODE, "init", "--genesis", str(other), "--datadir", str(chain.datadir)], check=False)
    assert refused.returncode != 0 and "already initialised with another genesis" in refused.stderr


def test_start_without_init_says_what_to_do(tmp_path):
    refused = run([NODE, "start", "--datadir", str(tmp_path / "nothing"), "--non-voting"], check=False)
    assert refused.returncode != 0 and "quorate-node init" in refused.stderr


def test_state_proofs_from_the_node_verify_against_the_block_state_root(chain):
    account = chain.accounts[0].address
    proof = chain.call("quorate_getProof", [account, "latest"])
    block = chain.call("eth_getBlockByNumber", [proof["blockNumber"], False])
    assert proof["stateRoot"] == block["stateRoot"]
    assert int(proof["account"]["balance"], 16) == Web3.to_wei(1000, "ether")
    absent = chain.call("quorate_getProof", ["0x000000000000000000000000000000000000bEEF", "latest"])
    assert absent["account"] is None and absent["proof"].startswith("0x")
