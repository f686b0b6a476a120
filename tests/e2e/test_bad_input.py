"""Bad input over JSON-RPC: a clear error, nothing lost, and the node keeps serving."""
import json
import socket
from urllib.parse import urlparse

import pytest
import rlp
from eth_account import Account
from web3 import Web3

from quorate import CHAIN_ID

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_BATCH = 1000
MAX_DATA_BYTES = 128 * 1024


def snapshot(chain):
    """What must not change: balances and nonces of the funded accounts and the state root."""
    latest = chain.call("eth_getBlockByNumber", ["latest", False])
    accounts = [(chain.call("eth_getBalance", [a.address, "latest"]),
                 chain.call("eth_getTransactionCount", [a.address, "latest"])) for a in chain.accounts]
    return latest["stateRoot"], accounts


def rpc_error(chain, method, params):
    answer = chain.rpc(method, params).json()
    assert "error" in answer, f"{method}{params} should fail, got {answer}"
    return answer["error"]


def transfer(sender, **overrides):
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": 0, "to": "0x000000000000000000000000000000000000dEaD",
          "value": 1, "gas": 21000, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0}
    tx.update(overrides)
    return sender.sign_transaction(tx).raw_transaction


def send_raw(chain, raw):
    return rpc_error(chain, "eth_sendRawTransaction", ["0x" + bytes(raw).hex()])


def test_json_rpc_protocol_errors_have_standard_codes(chain):
    before = snapshot(chain)
    assert chain.rpc(None, raw="{not json").json()["error"]["code"] == -32700
    assert chain.rpc(None, raw="42").json()["error"]["code"] == -32600
    assert chain.rpc(None, raw='{"jsonrpc":"2.0","id":1}').json()["error"]["code"] == -32600
    assert chain.rpc(None, raw="[]").json()["error"]["code"] == -32600
    err = rpc_error(chain, "eth_noSuchMethod", [])
    assert err["code"] == -32601 and "does not exist" in err["message"]
    assert rpc_error(chain, "eth_getBalance", [])["code"] == -32602
    assert rpc_error(chain, "eth_getBalance", [123, "latest"])["code"] == -32602
    assert rpc_error(chain, "eth_getBalance", ["0x1234", "latest"])["code"] == -32602
    assert rpc_error(chain, "eth_blockNumber", [1])["code"] == -32602
    assert rpc_error(chain, "eth_getBlockByNumber", ["latest", "yes"])["code"] == -32602
    assert snapshot(chain) == before


def test_body_over_the_limit_gets_413_and_the_node_keeps_serving(chain):
    url = urlparse(chain.url)
    body = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["' + b"a" * (MAX_BODY_BYTES + 10) + b'"]}'
    with socket.create_connection((url.hostname, url.port), timeout=30) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                  + str(len(body)).encode() + b"\r\n\r\n")
        try:
            s.sendall(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close as soon as it has seen the length
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    assert chain.call("eth_chainId") == hex(CHAIN_ID)


def test_batch_over_the_limit_is_refused(chain):
    batch = [{"jsonrpc": "2.0", "id": i, "method": "eth_chainId", "params": []} for i in range(MAX_BATCH + 1)]
    answer = chain.rpc(None, raw=json.dumps(batch)).json()
    answer = answer[0] if isinstance(answer, list) else answer
    assert "error" in answer and "batch" in answer["error"]["message"]
    ok = chain.rpc(None, raw=json.dumps(batch[:MAX_BATCH])).json()
    assert len(ok) == MAX_BATCH and all(a["result"] == hex(CHAIN_ID) for a in ok)


def test_bad_raw_transactions_are_refused_with_geths_messages(chain):
    before = snapshot(chain)
    sender = chain.accounts[0]
    cases = []
    cases.append(("not RLP", bytes.fromhex("deadbeef"), "rlp"))
    good = transfer(sender)
    cases.append(("trailing bytes", bytes(good) + b"\x00", "rlp"))
    cases.append(("wrong chain id", transfer(sender, chainId=CHAIN_ID + 1), "invalid chain id for signer"))
    unprotected = sender.sign_transaction({"nonce": 0, "to": "0x000000000000000000000000000000000000dEaD",
                                           "value": 1, "gas": 21000, "gasPrice": 0}).raw_transaction
    cases.append(("unprotected legacy", unprotected, "only replay-protected (EIP-155) transactions allowed"))
    cases.append(("nonce too far ahead", transfer(sender, nonce=1_000_000), "nonce too high"))
    cases.append(("gas below intrinsic", transfer(sender, gas=20_999), "intrinsic gas too low"))
    cases.append(("value plus fee above balance", transfer(sender, value=Web3.to_wei(2000, "ether")),
                  "insufficient funds for gas * price + value"))
    # Contract creation is allowed (docs/contracts.md); initcode over EIP-3860's limit never is.
    creation = sender.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": 0, "value": 0, "gas": 1_000_000,
                                        "maxFeePerGas": 0, "maxPriorityFeePerGas": 0, "data": "0x" + "00" * 49_153}).raw_transaction
    cases.append(("initcode over the limit", creation, "max initcode size exceeded"))
    big = transfer(sender, data="0x" + "01" * (MAX_DATA_BYTES + 1), gas=21000 + 16 * (MAX_DATA_BYTES + 1))
    cases.append(("data over the limit", big, "oversized data"))
    # High S: the same signature with s' = n - s and the parity flipped recovers the same key on
    # paper, but EIP-2 refuses it.
    legacy = sender.sign_transaction({"chainId": CHAIN_ID, "nonce": 0, "to": "0x000000000000000000000000000000000000dEaD",
                                      "value": 1, "gas": 21000, "gasPrice": 0}).raw_transaction
    fields = rlp.decode(bytes(legacy))
    v = int.from_bytes(fields[6], "big")
    s = int.from_bytes(fields[8], "big")
    flipped = v + 1 if (v - 35) % 2 == 0 else v - 1
    fields[6] = flipped.to_bytes((flipped.bit_length() + 7) // 8, "big")
    fields[8] = (SECP256K1_N - s).to_bytes(32, "big").lstrip(b"\x00")
    cases.append(("high S", rlp.encode(fields), "s is above n/2"))
    bad_sig = list(rlp.decode(bytes(legacy)))
    bad_sig[7] = b"\x00"
    cases.append(("r of zero", rlp.encode(bad_sig), "rlp"))
    bad_sig[7] = (SECP256K1_N + 1).to_bytes(32, "big")
    cases.append(("r above the group order", rlp.encode(bad_sig), "invalid"))

    for name, raw, expected in cases:
        err = send_raw(chain, raw)
        assert err["code"] == -32000 or (expected == "rlp" and err["code"] in (-32000, -32602)), (name, err)
        assert expected.lower() in err["message"].lower(), f"{name}: {err['message']!r} lacks {expected!r}"

    # Duplicates and stale nonces need one accepted transaction first.
    first = transfer(sender, value=7)
    w3 = Web3(Web3.HTTPProvider(chain.url))
    tx_hash = w3.eth.send_raw_transaction(first)
    assert "already known" in send_raw(chain, first)["message"]
    w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60, poll_latency=0.05)
    assert "already known" in send_raw(chain, first)["message"]
    assert "nonce too low" in send_raw(chain, transfer(sender, value=8))["message"]

    root_before, accounts_before = before
    _, accounts_after = snapshot(chain)
    # Only the one valid transfer moved anything.
    assert accounts_after[1:] == accounts_before[1:]
    assert int(accounts_after[0][1], 16) == 1
    assert int(accounts_after[0][0], 16) == int(accounts_before[0][0], 16) - 7
    assert chain.call("eth_chainId") == hex(CHAIN_ID)


def test_admin_methods_need_the_token_from_the_data_directory(chain):
    err = rpc_error(chain, "admin_nodeInfo", [])
    assert err["code"] == -32001 and "rpc.token" in err["message"]
    bad = chain.rpc("admin_nodeInfo", [], headers={"Authorization": "Bearer wrong"}).json()
    assert bad["error"]["code"] == -32001
    token = (chain.datadir / "rpc.token").read_text().strip()
    assert oct((chain.datadir / "rpc.token").stat().st_mode & 0o777) == "0o600"
    ok = chain.rpc("admin_nodeInfo", [], headers={"Authorization": f"Bearer {token}"}).json()
    assert ok["result"]["chainId"] == hex(CHAIN_ID)


def test_health_and_metrics_are_served_beside_the_rpc(chain):
    import requests
    health = requests.get(chain.url + "/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    metrics = requests.get(chain.url + "/metrics", timeout=10).text
    assert "quorate_block_height" in metrics
