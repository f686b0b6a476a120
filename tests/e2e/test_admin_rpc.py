"""Admin JSON-RPC behind the bearer token, and peers allowed at run time (issue 6, item 4)."""
import time

import requests

from netharness import WAIT_S, Member, Network
from quorate import CHAIN_ID, NODE, run


def token_of(datadir):
    return (datadir / "rpc.token").read_text().strip()


def post(url, method, params=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(url, json={"jsonrpc": "2.0", "id": 7, "method": method, "params": params or []},
                         headers=headers, timeout=30)


def admin(member, method, params=None):
    r = post(member.url, method, params, token_of(member.datadir))
    assert r.status_code == 200, r.text
    body = r.json()
    assert "error" not in body, f"{member.name} {method}: {body['error']}"
    return body["result"]


def eventually(what, condition, timeout=WAIT_S):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for: {what}")


def test_admin_methods_answer_401_without_the_right_token_and_other_methods_need_none(chain):
    token_file = chain.datadir / "rpc.token"
    token = token_file.read_text().strip()
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    for method in ("admin_nodeInfo", "admin_peers"):
        for bad in (None, "0" * 64, token[:-1]):
            r = post(chain.url, method, token=bad)
            assert r.status_code == 401, (method, bad, r.text)
            assert r.headers["WWW-Authenticate"].startswith("Bearer"), r.headers
            body = r.json()
            assert body["id"] == 7
            assert body["error"]["code"] == -32001
            assert str(token_file) in body["error"]["message"]
    info = post(chain.url, "admin_nodeInfo", token=token)
    assert info.status_code == 200
    result = info.json()["result"]
    assert result["chainId"] == hex(CHAIN_ID)
    assert result["nodeAddress"].startswith(chain.node_key + "@127.0.0.1:")
    peers = post(chain.url, "admin_peers", token=token)
    assert peers.status_code == 200 and peers.json()["result"] == []

    # Methods without admin ignore the token, missing or wrong (only admin methods are guarded).
    for bad in (None, "wrong"):
        r = post(chain.url, "eth_blockNumber", token=bad)
        assert r.status_code == 200 and r.json()["result"].startswith("0x")
    # A batch mixing both is answered 200 entry by entry; one of only refused admin calls is a 401.
    mixed = requests.post(chain.url, json=[{"jsonrpc": "2.0", "id": 1, "method": "admin_peers"},
                                           {"jsonrpc": "2.0", "id": 2, "method": "eth_chainId"}], timeout=30)
    assert mixed.status_code == 200
    assert [e.get("error", {}).get("code") for e in mixed.json()] == [-32001, None]
    assert mixed.json()[1]["result"] == hex(CHAIN_ID)
    only_admin = requests.post(chain.url, json=[{"jsonrpc": "2.0", "id": 1, "method": "admin_peers"}], timeout=30)
    assert only_admin.status_code == 401

    # Bad peer addresses are -32602 with the reason, once authorized.
    for bad_address, reason in (("nonsense", "no '@'"), (chain.node_key + "@127.0.0.1:0", "port"),
                                (chain.node_key + "@127.0.0.1:30303", "own key")):
        err = post(chain.url, "admin_addPeer", [bad_address], token=token).json()["error"]
        assert err["code"] == -32602 and reason in err["message"], err
    assert post(chain.url, "admin_addPeer", [], token=token).json()["error"]["code"] == -32602

    # quorate_validators is quorate_getValidators under its issue-6 name, with the same tag checks.
    assert chain.call("quorate_validators", ["latest"]) == chain.call("quorate_getValidators", ["latest"])
    assert chain.call("quorate_validators")["validators"][0]["address"].lower() == chain.validator.lower()
    assert chain.rpc("quorate_validators", ["0x10000"]).json()["error"]["message"] == "header not found"
    assert chain.rpc("quorate_validators", ["soon"]).json()["error"]["code"] == -32602


def test_a_peer_added_at_run_time_connects_and_syncs_and_is_dropped_when_removed(tmp_path):
    net = Network(tmp_path, validators=1)
    a = net.validators[0]
    # B: a non-voting node that dials A, which was not told to allow it (no --allow-peer).
    b = Member(net, "b", validator=False)
    run([NODE, "init", "--genesis", str(tmp_path / "genesis.json"), "--datadir", str(b.datadir)])
    b_key = b.node_key[2:]
    try:
        a.start()
        b.start()
        eventually("A refuses B", lambda: f"p2p: refused {b_key} from 127.0.0.1:" in a.log())
        for i in range(2):
            net.wait_for_receipt(a, net.transfer(a, net.accounts[i]))
        assert a.height() >= 2
        assert b.height() == 0
        assert admin(a, "admin_peers") == []

        assert admin(a, "admin_addPeer", [f"{b.node_key}@127.0.0.1:{b.p2p_port}"]) is True
        head = a.height()
        net.wait_for_height(b, head)
        net.assert_agree([a, b], head)
        [peer] = admin(a, "admin_peers")
        assert peer["nodeKey"] == b.node_key
        assert peer["direction"] == "outbound"
        assert peer["remoteAddress"] == f"127.0.0.1:{b.p2p_port}"
        assert peer["validator"] is None
        assert int(peer["height"], 16) <= a.height()
        # B sees A as the validator it is.
        [seen_by_b] = admin(b, "admin_peers")
        assert seen_by_b["nodeKey"] == a.node_key and seen_by_b["direction"] == "inbound"
        assert seen_by_b["validator"].lower() == a.address.lower()

        assert admin(a, "admin_removePeer", [f"{b_key}@127.0.0.1:{b.p2p_port}"]) is True
        eventually("B is disconnected", lambda: admin(a, "admin_peers") == [] and b.call("net_peerCount") == "0x0")
        assert f"p2p: disconnected {b_key}" in a.log() and "no longer in the allowlist" in a.log()
        assert admin(a, "admin_removePeer", [f"{b_key}@127.0.0.1:{b.p2p_port}"]) is False
        # B keeps dialing A (its --peer) and is refused again; it no longer follows A's blocks.
        behind = b.height()
        net.wait_for_receipt(a, net.transfer(a, net.accounts[2]))
        assert a.height() > behind
        assert b.height() == behind
        assert admin(a, "admin_peers") == []
    finally:
        net.stop_all()
