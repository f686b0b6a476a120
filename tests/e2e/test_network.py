"""Four validator processes (and a late non-voting node) on loopback: issue 4's scenarios."""
import os
import socket

import pytest

import bolt8
from netharness import Network, wait_until


@pytest.fixture()
def net(tmp_path):
    n = Network(tmp_path, validators=4, observers=1)
    n.start_validators()
    yield n
    n.stop_all()


def test_transactions_sent_to_different_nodes_all_commit_and_every_node_agrees(net):
    hashes = [(v, net.transfer(v, net.accounts[i])) for i, v in enumerate(net.validators)]
    receipts = [net.wait_for_receipt(v, h) for v, h in hashes]
    top = max(int(r["blockNumber"], 16) for r in receipts)
    for v in net.validators:
        net.wait_for_height(v, top)
        for _, h in hashes:
            assert v.call("eth_getTransactionReceipt", [h])["status"] == "0x1"
    net.assert_agree(net.validators, top)
    cert = net.validators[0].call("quorate_getBlockCommit", [hex(top)])
    assert len(cert["signatures"]) >= 3  # 2f+1 of 4
    assert int(net.validators[0].call("net_peerCount"), 16) == 3


def test_a_killed_validator_does_not_stop_the_chain_and_catches_up_and_votes_after_restart(net):
    v0, v1, v2, v3 = net.validators
    net.wait_for_receipt(v0, net.transfer(v0, net.accounts[0]))
    v3.kill()
    for _ in range(3):
        receipt = net.wait_for_receipt(v1, net.transfer(v1, net.accounts[1]))
    head = int(receipt["blockNumber"], 16)
    v3.start()
    net.wait_for_height(v3, head)
    net.assert_agree(net.validators, head)
    # With v0 gone too, 3 of 4 are needed: blocks commit only if the restarted v3 votes.
    v0.kill()
    receipt = net.wait_for_receipt(v2, net.transfer(v2, net.accounts[2]))
    signers = {s["validator"].lower() for s in v2.call("quorate_getBlockCommit", [receipt["blockNumber"]])["signatures"]}
    assert v3.address.lower() in signers


def test_with_two_of_four_stopped_nothing_commits_and_nothing_forks_until_one_returns(net):
    v0, v1, v2, v3 = net.validators
    net.wait_for_receipt(v0, net.transfer(v0, net.accounts[0]))
    v2.kill()
    v3.kill()
    before = v0.height()
    tx = net.transfer(v0, net.accounts[0])
    # Instead of a window of real time: wait until both live nodes report that they voted on the
    # next height and have each other's prevotes, with exactly the stopped two missing. From
    # there only v2's or v3's vote could complete a quorum; the height must not have moved.
    down = {v2.address.lower(), v3.address.lower()}
    wait_until(lambda: all(waiting_on(v, before + 1) == down for v in (v0, v1)),
               f"v0 and v1 to have prevoted at height {before + 1}, missing only v2 and v3")
    assert v0.call("eth_getTransactionReceipt", [tx]) is None
    assert v0.height() == before and v1.height() == before
    v2.start()
    receipt = net.wait_for_receipt(v0, tx)
    height = int(receipt["blockNumber"], 16)
    for v in (v1, v2):
        net.wait_for_height(v, height)
    net.assert_agree([v0, v1, v2], height)
    for h in range(1, height + 1):
        net.assert_agree([v0, v1], h)


def waiting_on(member, height):
    """The validators whose prevote `member` lacks in its current round, once it is at `height`
    past its own prevote; None before that. Fails at once if it committed past `height - 1`."""
    status = member.call("quorate_status")
    assert int(status["height"], 16) < height, f"{member.name} committed height {int(status['height'], 16)}"
    c = status["consensus"]
    if not c or int(c["height"], 16) != height or c["step"] not in ("prevote", "precommit"):
        return None
    return {a.lower() for a in c["missingPrevotes"]}


def test_a_fresh_non_voting_node_syncs_from_genesis_then_follows_and_forwards(net):
    v0 = net.validators[0]
    for i in range(6):
        net.wait_for_receipt(v0, net.transfer(v0, net.accounts[i % 4]))
    head = v0.height()
    observer = net.observers[0]
    observer.start()
    net.wait_for_height(observer, head)
    net.assert_agree([v0, observer], head)
    # It follows new blocks, and forwards what it is given to the validators.
    tx = net.transfer(observer, net.accounts[3])
    receipt = net.wait_for_receipt(observer, tx)
    assert v0.call("eth_getTransactionReceipt", [tx])["blockHash"] == receipt["blockHash"]
    assert observer.call("eth_syncing") is False


def test_a_node_whose_key_is_not_allowed_cannot_connect(net):
    v0 = net.validators[0]
    stranger = int.from_bytes(os.urandom(32), "big") % (bolt8.N - 1) + 1
    # The handshake itself completes (act three is where the node learns who is calling) ...
    session = bolt8.Session("127.0.0.1", v0.p2p_port, stranger, bytes.fromhex(v0.node_key[2:]))
    # ... and the node hangs up before reading any application message.
    assert session.closed_by_peer()
    wait_until(lambda: "allowlist" in v0.log(), "v0 to log the refusal (not in the allowlist)")
    net.wait_for_receipt(v0, net.transfer(v0, net.accounts[0]))


def test_garbage_from_peers_disconnects_them_and_the_network_keeps_committing(net):
    v0 = net.validators[0]
    # Random bytes instead of a handshake.
    with socket.create_connection(("127.0.0.1", v0.p2p_port), timeout=30) as s:
        s.sendall(os.urandom(50))
        s.settimeout(30)
        assert s.recv(100) == b""
    # A valid handshake with an allowed key, then bytes that are not a frame.
    observer = net.observers[0]
    session = bolt8.Session("127.0.0.1", v0.p2p_port, observer.node_secret(), bytes.fromhex(v0.node_key[2:]))
    session.sock.sendall(os.urandom(200))
    assert session.closed_by_peer()
    # A valid handshake, then a frame announcing a message far over the cap.
    session = bolt8.Session("127.0.0.1", v0.p2p_port, observer.node_secret(), bytes.fromhex(v0.node_key[2:]))
    session.send_frame((0xFFFFFFFF).to_bytes(4, "big") + (0).to_bytes(2, "big") + (1).to_bytes(2, "big") + b"x")
    assert session.closed_by_peer()
    net.wait_for_receipt(v0, net.transfer(v0, net.accounts[1]))
