"""Issue 11: Vyper 0.4 contracts through web3.py on a 4-validator network. Each contract is
compiled in the test with the pinned vyper; after each scenario the other validators must
return the same code, storage, logs and state root."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from web3 import Web3
from web3.exceptions import ContractLogicError

from netharness import Network, wait_until
from quorate import CHAIN_ID, WALLET, PASSWORD, run

CONTRACTS = Path(__file__).resolve().parent / "contracts"
VYPER = str(Path(sys.executable).parent / "vyper")


def compile_vyper(name, blueprint=False):
    formats = "abi,blueprint_bytecode" if blueprint else "abi,bytecode"
    out = subprocess.run([VYPER, "-f", formats, str(CONTRACTS / f"{name}.vy")], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    return json.loads(out[0]), out[1].strip()


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    n = Network(tmp_path_factory.mktemp("contracts"), validators=4, accounts=4)
    n.start_validators()
    yield n
    n.stop_all()


class Client:
    """web3.py, unmodified, against one node; signs locally as dapps do."""

    def __init__(self, net, member_index=0):
        self.net = net
        self.w3 = Web3(Web3.HTTPProvider(net.validators[member_index].url))

    def send(self, account, tx):
        tx = dict(tx)
        tx.setdefault("chainId", CHAIN_ID)
        tx["nonce"] = self.w3.eth.get_transaction_count(account.address, "pending")
        tx.setdefault("from", account.address)
        if "gas" not in tx:
            tx["gas"] = self.w3.eth.estimate_gas(tx)
        tx.setdefault("maxFeePerGas", 0)
        tx.setdefault("maxPriorityFeePerGas", 0)
        tx.pop("from")
        signed = account.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        return self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120, poll_latency=0.1)

    def deploy(self, account, name, *args, blueprint=False):
        abi, bytecode = compile_vyper(name, blueprint=blueprint)
        factory = self.w3.eth.contract(abi=abi, bytecode=bytecode)
        data = factory.constructor(*args).data_in_transaction if not blueprint else bytecode
        receipt = self.send(account, {"data": data, "value": 0})
        assert receipt.status == 1, receipt
        assert receipt.contractAddress
        return self.w3.eth.contract(address=receipt.contractAddress, abi=abi), receipt

    def transact(self, account, fn, gas=None):
        tx = {"to": fn.address, "data": fn._encode_transaction_data(), "value": 0}
        if gas:
            tx["gas"] = gas
        return self.send(account, tx)


def assert_same_everywhere(net, height, address, slots=()):
    """The four validators hold the same block, state root, code, storage and logs at `height`."""
    net.wait_for_height(net.validators[0], height)
    for v in net.validators:
        net.wait_for_height(v, height)
    net.assert_agree(net.validators, height)
    views = []
    for v in net.validators:
        code = v.call("eth_getCode", [address, hex(height)])
        storage = [v.call("eth_getStorageAt", [address, hex(s), hex(height)]) for s in slots]
        logs = v.call("eth_getLogs", [{"fromBlock": "0x0", "toBlock": hex(height), "address": address}])
        views.append((code, tuple(storage), json.dumps(logs, sort_keys=True)))
    assert len(set(views)) == 1, [v.name for v in net.validators]
    assert views[0][0] != "0x"


def test_erc20_deploy_transfer_approve_events_and_reverts(net):
    c = Client(net)
    alice, bob, carol = net.accounts[0], net.accounts[1], net.accounts[2]
    token, deployed = c.deploy(alice, "Token", "Quorate Token", "QRT", 10**24)
    assert token.functions.name().call() == "Quorate Token"
    assert token.functions.balanceOf(alice.address).call() == 10**24
    assert c.w3.eth.get_code(token.address) != b""

    sent = c.transact(alice, token.functions.transfer(bob.address, 1000))
    assert sent.status == 1 and sent.gasUsed > 21000 and len(sent.logs) == 1
    event = token.events.Transfer().process_receipt(sent)[0]
    assert (event.args.sender, event.args.receiver, event.args.value) == (alice.address, bob.address, 1000)
    assert token.functions.balanceOf(bob.address).call() == 1000

    assert c.transact(bob, token.functions.approve(carol.address, 600)).status == 1
    assert token.functions.allowance(bob.address, carol.address).call() == 600
    moved = c.transact(carol, token.functions.transferFrom(bob.address, carol.address, 500))
    assert moved.status == 1
    assert token.functions.balanceOf(carol.address).call() == 500
    assert token.functions.allowance(bob.address, carol.address).call() == 100

    # eth_call reverts as geth: code 3, the reason in the message, the revert bytes in data.
    with pytest.raises(ContractLogicError) as info:
        token.functions.transfer(alice.address, 10**9).call({"from": bob.address})
    assert "insufficient balance" in str(info.value)
    raw = c.w3.provider.make_request("eth_call", [{"from": bob.address, "to": token.address,
                                                   "data": token.functions.transfer(alice.address, 10**9)._encode_transaction_data()},
                                                  "latest"])
    assert raw["error"]["code"] == 3 and raw["error"]["message"] == "execution reverted: insufficient balance"
    assert raw["error"]["data"].startswith("0x08c379a0")
    # Mined, the same revert is status 0 with its gas charged.
    before = c.w3.eth.get_balance(bob.address)
    reverted = c.transact(bob, token.functions.transfer(alice.address, 10**9), gas=100_000)
    assert reverted.status == 0 and reverted.gasUsed > 21000 and reverted.logs == []
    assert c.w3.eth.get_balance(bob.address) == before  # free gas (base fee 0, no tip): charged at price 0
    assert c.w3.eth.get_transaction_count(bob.address) == 2

    # Logs by range, by block hash, by topic with wildcards and OR lists, and through filters.
    transfer_topic = "0x" + Web3.keccak(text="Transfer(address,address,uint256)").hex().removeprefix("0x")
    everything = c.w3.eth.get_logs({"fromBlock": 0, "address": token.address})
    assert len(everything) == 4  # mint, transfer, approval, transferFrom
    by_hash = c.w3.eth.get_logs({"blockHash": sent.blockHash})
    assert any(log.transactionHash == sent.transactionHash for log in by_hash)
    bob_topic = "0x" + "00" * 12 + bob.address[2:].lower()
    to_bob = c.w3.eth.get_logs({"fromBlock": 0, "address": [token.address], "topics": [transfer_topic, None, bob_topic]})
    assert [log.transactionHash for log in to_bob] == [sent.transactionHash]
    either = c.w3.eth.get_logs({"fromBlock": 0, "topics": [[transfer_topic], [bob_topic, "0x" + "00" * 12 + alice.address[2:].lower()]]})
    assert len(either) == 2
    log_filter = c.w3.eth.filter({"address": token.address, "fromBlock": "latest"})
    block_filter = c.w3.eth.filter("latest")
    third = c.transact(alice, token.functions.transfer(carol.address, 7))
    changes = log_filter.get_new_entries()
    assert [entry.transactionHash for entry in changes] == [third.transactionHash]
    assert third.blockHash in block_filter.get_new_entries()
    assert log_filter.get_new_entries() == []
    assert c.w3.eth.uninstall_filter(log_filter.filter_id)

    # eth_estimateGas gives enough, and not far more.
    estimate = token.functions.transfer(bob.address, 1).estimate_gas({"from": alice.address})
    used = c.transact(alice, token.functions.transfer(bob.address, 1), gas=estimate).gasUsed
    assert used <= estimate < used + 10_000

    # eth_getProof: the account proof leads to the block's state root, the slot's to the storage root.
    from proofcheck import account_fields, verify, verify_storage
    height = c.w3.eth.block_number
    block = net.validators[1].block(height)
    proof = net.validators[1].call("eth_getProof", [token.address, ["0x5"], hex(height)])  # totalSupply
    assert verify(proof["accountProof"][0], token.address, block["stateRoot"]) == (1, 0)
    fields = account_fields(proof["accountProof"][0])
    assert "0x" + fields[4].hex() == proof["storageHash"] and "0x" + fields[3].hex() == proof["codeHash"]
    total = verify_storage(proof["storageProof"][0]["proof"][0], 5, proof["storageHash"])
    assert total == int(proof["storageProof"][0]["value"], 16) == token.functions.totalSupply().call()

    slots = [0, 1, 2, 3, 4, 5]
    assert_same_everywhere(net, c.w3.eth.block_number, token.address, slots)


def test_factory_creates_with_create_and_create2(net):
    c = Client(net, 1)
    alice = net.accounts[3]
    child, _ = c.deploy(alice, "Child", 5)
    blueprint_abi, _ = compile_vyper("Child")
    blueprint, _ = c.deploy(alice, "Child", blueprint=True)
    factory, _ = c.deploy(alice, "Factory")

    plain = c.transact(alice, factory.functions.proxy(child.address))
    assert plain.status == 1
    proxy_address = factory.functions.last().call()
    proxy = c.w3.eth.contract(address=proxy_address, abi=blueprint_abi)
    assert c.transact(alice, proxy.functions.set_value(42)).status == 1
    assert proxy.functions.value().call() == 42 and child.functions.value().call() == 5

    salt = b"\x11" * 32
    for fn in (factory.functions.proxy_salted(child.address, salt), factory.functions.copy_salted(child.address, salt),
               factory.functions.from_blueprint(blueprint.address, 9, salt)):
        predicted = fn.call({"from": alice.address})
        receipt = c.transact(alice, fn, gas=1_000_000)
        assert receipt.status == 1
        assert factory.functions.last().call() == predicted
        assert c.w3.eth.get_code(predicted) != b""
        # The same salt again collides: the creation fails and the call reverts.
        again = c.transact(alice, fn, gas=1_000_000)
        assert again.status == 0
    made = c.w3.eth.contract(address=factory.functions.last().call(), abi=blueprint_abi)
    assert made.functions.value().call() == 9 and made.functions.creator().call() == factory.address
    assert_same_everywhere(net, c.w3.eth.block_number, factory.address, [0])


def test_sha256_and_ecrecover_precompiles(net):
    c = Client(net, 2)
    alice = net.accounts[1]
    crypto, _ = c.deploy(alice, "Crypto")
    data = b"quorate contracts"
    import hashlib
    assert crypto.functions.digest(data).call() == hashlib.sha256(data).digest()
    signer = Account.create("precompile-signer")
    digest = Web3.keccak(data)
    sig = Account._sign_hash(digest, signer.key)
    r, s = sig.r.to_bytes(32, "big"), sig.s.to_bytes(32, "big")
    assert crypto.functions.signer(digest, sig.v, r, s).call() == signer.address
    assert c.transact(alice, crypto.functions.remember(data, sig.v, r, s)).status == 1
    assert crypto.functions.last_hash().call() == hashlib.sha256(data).digest()
    assert crypto.functions.last_signer().call() == signer.address
    assert_same_everywhere(net, c.w3.eth.block_number, crypto.address, [0, 1])


def test_nonreentrant_lock_refuses_reentry(net):
    c = Client(net, 3)
    alice = net.accounts[2]
    guarded, _ = c.deploy(alice, "Guarded")
    attacker, _ = c.deploy(alice, "Reenter", guarded.address)
    assert c.transact(alice, guarded.functions.bump("0x" + "00" * 20)).status == 1
    assert guarded.functions.counter().call() == 1
    refused = c.transact(alice, guarded.functions.bump(attacker.address), gas=500_000)
    assert refused.status == 0
    assert guarded.functions.counter().call() == 1
    # The lock is transient: the next transaction finds it open.
    assert c.transact(alice, guarded.functions.bump("0x" + "00" * 20)).status == 1
    assert guarded.functions.counter().call() == 2
    trace = c.w3.provider.make_request("debug_traceTransaction", [refused.transactionHash.hex() if refused.transactionHash.hex().startswith("0x") else "0x" + refused.transactionHash.hex(), {"tracer": "callTracer"}])
    assert trace["result"]["type"] == "CALL" and trace["result"]["calls"][0]["to"].lower() == attacker.address.lower()
    assert_same_everywhere(net, c.w3.eth.block_number, guarded.address, [0])


def test_deploy_needs_the_deploy_role(tmp_path):
    accounts = [Account.create(f"perm-{i}") for i in range(2)]
    n = Network(tmp_path, validators=1, accounts=0,
                genesis_args=["--permissioning", "--role", f"{accounts[0].address}=admin,transact",
                              "--role", f"{accounts[1].address}=transact",
                              "--alloc", f"{accounts[0].address}=10ether", "--alloc", f"{accounts[1].address}=10ether"])
    n.accounts = accounts
    n.start_validators()
    try:
        c = Client(n)
        admin, user = accounts
        abi, bytecode = compile_vyper("Child")
        data = c.w3.eth.contract(abi=abi, bytecode=bytecode).constructor(1).data_in_transaction
        tx = {"chainId": CHAIN_ID, "nonce": 0, "data": data, "gas": 500_000, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}
        refused = c.w3.provider.make_request("eth_sendRawTransaction",
                                             ["0x" + bytes(user.sign_transaction(tx).raw_transaction).hex()])
        assert "lacks the deploy role" in refused["error"]["message"], refused
        from eth_abi import encode  # noqa: F401  (web3 dependency; the role payload is plain bytes)
        payload = bytes([1]) + bytes.fromhex(user.address[2:]) + (4).to_bytes(8, "big")
        grant = c.send(admin, {"to": "0x0000000000000000000000000000000051000001", "data": payload, "value": 0, "gas": 50_000})
        assert grant.status == 1
        deployed = c.send(user, {"data": data, "value": 0})
        assert deployed.status == 1 and deployed.contractAddress
    finally:
        n.stop_all()


def test_wallet_deploy_call_send_with_abi_encoding(tmp_path):
    from quorate import Chain
    chain = Chain(tmp_path)
    chain.start()
    try:
        owner = chain.accounts[0]
        ks = str(tmp_path / "ks")
        key_file = tmp_path / "key.hex"
        key_file.write_text(owner.key.hex())
        common = ["--keystore-dir", ks, "--password-file", str(chain.password_file), "--rpc", chain.url]
        run([WALLET, "import", "--key-file", str(key_file), *common[:4]])
        abi, bytecode = compile_vyper("Token")
        abi_file, code_file = tmp_path / "token.abi", tmp_path / "token.bin"
        abi_file.write_text(json.dumps(abi))
        code_file.write_text(bytecode)
        args = Web3().eth.contract(abi=abi, bytecode=bytecode).constructor("Wallet Token", "WLT", 1000).data_in_transaction
        ctor = args[len(bytecode):] if args.startswith(bytecode) else args[len(bytecode) - 2:]
        out = run([WALLET, "deploy", "--from", owner.address, "--bytecode", str(code_file), "--args", "0x" + ctor.removeprefix("0x"),
                   *common]).stdout
        assert "status      success" in out, out
        token = next(line.split()[1] for line in out.splitlines() if line.startswith("contract"))
        assert "log 0" in out  # the mint's Transfer event
        called = run([WALLET, "call", "--to", token, "--abi", str(abi_file), "--function", "balanceOf(address)",
                      owner.address, "--rpc", chain.url]).stdout
        assert "output 0    1000" in called, called
        name = run([WALLET, "call", "--to", token, "--abi", str(abi_file), "--function", "name()", "--rpc", chain.url]).stdout
        assert "output 0    Wallet Token" in name, name
        receiver = "0x000000000000000000000000000000000000bEEF"
        sent = run([WALLET, "send", "--from", owner.address, "--to", token, "--function", "transfer(address,uint256)",
                    receiver, "250", *common]).stdout
        assert "status      success" in sent and "log 0" in sent, sent
        raw = run([WALLET, "call", "--to", token, "--data",
                   "0x70a08231" + "00" * 12 + receiver[2:].lower(), "--rpc", chain.url]).stdout
        assert f"result      0x{250:064x}" in raw, raw
        failed = run([WALLET, "send", "--from", owner.address, "--to", token, "--function", "transfer(address,uint256)",
                      receiver, "5000", "--gas", "100000", *common]).stdout
        assert "status      failed" in failed, failed
    finally:
        chain.kill()


def test_bounds_infinite_loop_call_and_never_valid_transactions(tmp_path):
    """eth_call of an endless loop ends under the gas cap (or the time bound) and changes nothing;
    a transaction that can never fit is refused at submission with geth's message."""
    from quorate import Chain
    chain = Chain(tmp_path)
    chain.start(["--rpc-evmtimeout-ms", "20000"])
    try:
        c = Client(type("Net", (), {"validators": [type("M", (), {"url": chain.url})()]})())
        owner = chain.accounts[0]
        loop_runtime = "5b600056"  # JUMPDEST; PUSH1 0; JUMP
        initcode = "0x6004600c60003960046000f3" + loop_runtime
        deployed = c.send(owner, {"data": initcode, "gas": 100_000})
        loop = deployed.contractAddress
        height = c.w3.eth.block_number
        err = chain.rpc("eth_call", [{"to": loop}, "latest"]).json()["error"]
        assert err == {"code": -32000, "message": "out of gas"}, err
        err = chain.rpc("eth_estimateGas", [{"to": loop}]).json()["error"]
        assert err["message"] == "gas required exceeds allowance (50000000)", err
        assert c.w3.eth.block_number == height and c.w3.eth.get_transaction_count(owner.address) == 1
        # Mined, the loop runs out of gas: status 0, the whole limit charged.
        mined = c.send(owner, {"to": loop, "gas": 300_000})
        assert mined.status == 0 and mined.gasUsed == 300_000
        # Never valid: gas above the block gas limit, initcode over EIP-3860's limit.
        too_much = owner.sign_transaction({"chainId": CHAIN_ID, "nonce": 2, "to": loop, "gas": 10_000_000_001,
                                           "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}).raw_transaction
        err = chain.rpc("eth_sendRawTransaction", ["0x" + bytes(too_much).hex()]).json()["error"]
        assert "exceeds block gas limit" in err["message"], err
        big = owner.sign_transaction({"chainId": CHAIN_ID, "nonce": 2, "data": "0x" + "00" * 49_153, "gas": 5_000_000,
                                      "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}).raw_transaction
        err = chain.rpc("eth_sendRawTransaction", ["0x" + bytes(big).hex()]).json()["error"]
        assert "max initcode size exceeded" in err["message"], err
    finally:
        chain.kill()
    # A short time bound ends the same loop with geth's timeout message.
    chain.start(["--rpc-evmtimeout-ms", "1", "--rpc-gascap", "0"])
    try:
        err = chain.rpc("eth_call", [{"to": loop, "gas": hex(2_000_000_000)}, "latest"]).json()["error"]
        assert err["message"].startswith("execution aborted (timeout"), err
    finally:
        chain.kill()
