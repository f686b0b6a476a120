"""web3.py and eth-account, unmodified, against a running quorate-node."""
import json

from eth_account import Account
from web3 import Web3

from quorate import CHAIN_ID, PASSWORD, WALLET, run


def connect(chain):
    w3 = Web3(Web3.HTTPProvider(chain.url, request_kwargs={"timeout": 30}))
    assert w3.is_connected()
    return w3


def test_web3_reads_chain_id_block_number_balance_and_nonce(chain):
    w3 = connect(chain)
    assert w3.eth.chain_id == CHAIN_ID
    assert w3.eth.block_number >= 0
    funded = chain.accounts[0]
    assert w3.eth.get_balance(funded.address) == Web3.to_wei(1000, "ether")
    assert w3.eth.get_transaction_count(funded.address) == 0
    assert w3.eth.get_transaction_count(funded.address, "pending") == 0
    block = w3.eth.get_block("latest")
    for field in ("number", "hash", "parentHash", "timestamp", "miner", "stateRoot", "transactionsRoot",
                  "receiptsRoot", "logsBloom", "gasLimit", "gasUsed", "baseFeePerGas", "transactions"):
        assert field in block, field
    assert w3.eth.get_code(funded.address) == b""
    assert w3.net.version == str(CHAIN_ID)


def test_eip1559_transfer_moves_balances_and_has_a_receipt(chain):
    w3 = connect(chain)
    sender, recipient = chain.accounts[0], Account.create("recipient-1559")
    value = Web3.to_wei(1.5, "ether")
    tx = {
        "type": 2, "chainId": w3.eth.chain_id, "nonce": w3.eth.get_transaction_count(sender.address),
        "to": recipient.address, "value": value, "gas": w3.eth.estimate_gas(
            {"from": sender.address, "to": recipient.address, "value": value}),
        "maxFeePerGas": w3.eth.gas_price * 2 + w3.eth.max_priority_fee,
        "maxPriorityFeePerGas": w3.eth.max_priority_fee,
    }
    assert tx["gas"] == 21000
    signed = sender.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    assert tx_hash == signed.hash
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.05)
    assert receipt.status == 1
    assert receipt["from"] == sender.address and receipt.to == recipient.address
    assert receipt.gasUsed == 21000
    assert w3.eth.get_balance(recipient.address) == value
    fee = receipt.gasUsed * receipt.effectiveGasPrice
    assert w3.eth.get_balance(sender.address) == Web3.to_wei(1000, "ether") - value - fee
    assert w3.eth.get_transaction_count(sender.address) == 1
    fetched = w3.eth.get_transaction(tx_hash)
    assert fetched.blockNumber == receipt.blockNumber and fetched.value == value
    block = w3.eth.get_block(receipt.blockNumber, full_transactions=True)
    assert block.hash == receipt.blockHash
    assert [t.hash for t in block.transactions] == [tx_hash] or tx_hash in [t.hash for t in block.transactions]
    assert w3.eth.get_block(receipt.blockHash).number == receipt.blockNumber


def test_legacy_eip155_transfer_is_committed(chain):
    w3 = connect(chain)
    sender, recipient = chain.accounts[1], Account.create("recipient-legacy")
    value = Web3.to_wei(2, "ether")
    tx = {"chainId": CHAIN_ID, "nonce": 0, "to": recipient.address, "value": value, "gas": 21000,
          "gasPrice": w3.eth.gas_price}
    signed = sender.sign_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction), timeout=60,
                                                  poll_latency=0.05)
    assert receipt.status == 1 and receipt.type == 0
    assert w3.eth.get_balance(recipient.address) == value


def test_many_transfers_from_several_senders_all_commit_in_nonce_order(chain):
    w3 = connect(chain)
    recipient = Account.create("recipient-many")
    hashes = []
    for sender in chain.accounts:
        for nonce in range(5):
            signed = sender.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": recipient.address,
                                              "value": 1000 + nonce, "gas": 21000, "maxFeePerGas": 0,
                                              "maxPriorityFeePerGas": 0})
            hashes.append(w3.eth.send_raw_transaction(signed.raw_transaction))
    receipts = [w3.eth.wait_for_transaction_receipt(h, timeout=60, poll_latency=0.05) for h in hashes]
    assert all(r.status == 1 for r in receipts)
    assert w3.eth.get_balance(recipient.address) == len(chain.accounts) * sum(1000 + n for n in range(5))
    for sender in chain.accounts:
        assert w3.eth.get_transaction_count(sender.address) == 5


def test_keystore_written_by_quorate_wallet_decrypts_with_eth_account(chain, tmp_path):
    keystore_dir = tmp_path / "keystore"
    out = run([WALLET, "new", "--keystore-dir", str(keystore_dir), "--password-file", str(chain.password_file)]).stdout
    address = out.split("address:")[1].split()[0]
    path = out.split("keystore:")[1].split()[0]
    with open(path) as f:
        keystore = json.load(f)
    key = Account.decrypt(keystore, PASSWORD)
    assert Account.from_key(key).address == address
    # And the pbkdf2 flavour.
    out = run([WALLET, "new", "--kdf", "pbkdf2", "--keystore-dir", str(keystore_dir),
               "--password-file", str(chain.password_file)]).stdout
    path = out.split("keystore:")[1].split()[0]
    with open(path) as f:
        assert Account.from_key(Account.decrypt(json.load(f), PASSWORD)).address == out.split("address:")[1].split()[0]


def test_quorate_status_reports_where_consensus_stands(chain):
    status = chain.call("quorate_status")
    assert status["chainId"] == hex(CHAIN_ID)
    consensus = status["consensus"]
    assert consensus is not None
    # Between heights (no transactions waiting) the machine rests at the committed height.
    assert int(consensus["height"], 16) - int(status["height"], 16) in (0, 1)
    assert consensus["step"] in ("propose", "prevote", "precommit", "committed")
    assert consensus["proposer"] is not None
    assert consensus["missingPrevotes"] == [] or isinstance(consensus["missingPrevotes"], list)


def test_estimate_gas_counts_access_lists_as_the_node_charges_them(chain):
    w3 = connect(chain)
    sender = chain.accounts[2]
    call = {"from": sender.address, "to": "0x000000000000000000000000000000000000dEaD", "value": 1,
            "accessList": [{"address": "0x000000000000000000000000000000000000dEaD",
                            "storageKeys": ["0x" + "00" * 32]}]}
    gas = w3.eth.estimate_gas(call)
    assert gas == 21000 + 2400 + 1900
    tx = {"type": 1, "chainId": CHAIN_ID, "nonce": 0, "gas": gas, "gasPrice": 0, **call}
    del tx["from"]
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction), timeout=60, poll_latency=0.05)
    assert receipt.status == 1 and receipt.gasUsed == gas and receipt.type == 1
