"""Issue 6 item 3: admins allow and disallow non-voting node keys on-chain; the allowlist follows."""
import json

import pytest
import requests
from eth_account import Account

from netharness import Member, Network, wait_until
from quorate import NODE, PASSWORD, WALLET, run


@pytest.fixture()
def net(tmp_path):
    admin, user = Account.create("node-keys-admin"), Account.create("node-keys-user")
    n = Network(tmp_path, validators=1, accounts=0,
                genesis_args=["--permissioning", "--role", f"{admin.address}=admin,transact",
                              "--role", f"{user.address}=transact", "--alloc", f"{user.address}=1ether"])
    n.admin, n.user = admin, user
    n.accounts.append(user)
    n.nonces[user.address] = 0
    n.start_validators()
    yield n
    n.stop_all()


def wallet_node(net, member, *args, check=True):
    keystore = net.root / "admin.json"
    keystore.write_text(json.dumps(Account.encrypt(net.admin.key, PASSWORD)))
    return run([WALLET, "node", *args, "--from", str(keystore), "--password-file", str(net.password_file),
                "--rpc", member.url], check=check)


def peers(member):
    token = (member.datadir / "rpc.token").read_text().strip()
    r = requests.post(member.url, json={"jsonrpc": "2.0", "id": 1, "method": "admin_peers", "params": []},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    return [p["nodeKey"] for p in r["result"]]


def test_an_admin_allows_a_node_key_on_chain_then_disallows_it_and_the_validator_follows_without_restart(net):
    v0 = net.validators[0]
    observer = Member(net, "o0", False)
    net.members.append(observer)  # so that stop_all stops it whatever happens
    run([NODE, "init", "--genesis", str(net.root / "genesis.json"), "--datadir", str(observer.datadir)])
    net.wait_for_height(v0, 1)
    observer.start()
    wait_until(lambda: f"refused {observer.node_key[2:]}" in v0.log(), "the validator to refuse the unknown key")
    assert observer.height() == 0

    # A non-admin cannot allow keys.
    stranger = Account.create("node-keys-stranger")
    keystore = net.root / "stranger.json"
    keystore.write_text(json.dumps(Account.encrypt(stranger.key, PASSWORD)))
    refused = run([WALLET, "node", "add", observer.node_key, "--from", str(keystore), "--password-file",
                   str(net.password_file), "--rpc", v0.url], check=False)
    assert refused.returncode != 0 and "lacks the admin role" in refused.stderr, refused.stderr

    out = wallet_node(net, v0, "add", observer.node_key).stdout
    assert "status      success" in out and "node keys   1 allowed on-chain" in out, out
    assert v0.call("quorate_nodeKeys")["nodeKeys"] == [observer.node_key]
    net.transfer(v0, net.user)  # a block after the grant, so both sides see the head move
    wait_until(lambda: observer.height() >= v0.height() - 1 and observer.height() > 1, "the observer to sync")
    assert observer.node_key in peers(v0)

    out = wallet_node(net, v0, "remove", observer.node_key).stdout
    assert "node keys   0 allowed on-chain" in out, out
    wait_until(lambda: observer.node_key not in peers(v0), "the validator to drop the disallowed node")
    stopped_at = observer.height()
    for _ in range(3):
        net.wait_for_receipt(v0, net.transfer(v0, net.user))
    assert v0.height() > stopped_at + 2
    assert observer.height() <= stopped_at + 1
    observer.kill()
