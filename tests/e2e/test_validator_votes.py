"""Issue 6: the validator set changes by vote on a running 4-validator network under load, 4 -> 5 -> 4."""
import json
import random
import re
import threading
import time

import pytest
import requests
from eth_account import Account

from netharness import Member, Network, wait_until
from quorate import NODE, PASSWORD, WALLET, run


@pytest.fixture()
def net(tmp_path):
    n = Network(tmp_path, validators=4, accounts=4)
    n.start_validators()
    yield n
    n.stop_all()


class Load:
    """Steady transfers to the validators in turn (about 20 a second) until stopped; every hash is kept."""

    def __init__(self, net, members):
        self.net, self.members, self.hashes, self.errors = net, members, [], []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        rng = random.Random(6)
        while not self.stop_event.is_set():
            account = self.net.accounts[len(self.hashes) % len(self.net.accounts)]
            live = [m for m in self.members if m.process is not None]
            try:
                self.hashes.append((account.address, self.net.transfer(rng.choice(live), account)))
            except Exception as e:  # a node being stopped: the nonce was not used, take it back
                self.net.nonces[account.address] -= 1
                self.errors.append(str(e))
            time.sleep(0.05)

    def stop(self):
        self.stop_event.set()
        self.thread.join(timeout=30)


def admin_call(member, method, params):
    token = (member.datadir / "rpc.token").read_text().strip()
    r = requests.post(member.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
                      headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
    assert "error" not in r, f"{member.name} {method}: {r['error']}"
    return r["result"]


def vote(voter, *args):
    """One vote through the wallet, signed with the voter's validator key; returns the wallet's output."""
    out = run([WALLET, "validator", *args, "--from", str(voter.datadir / "keys" / "validator.json"),
               "--password-file", str(voter.net.password_file), "--rpc", voter.url]).stdout
    assert "status      success" in out, out
    return out


def validator_set(member, height):
    s = member.call("quorate_getValidators", [hex(height)])
    return s["hash"], tuple(sorted(v["address"].lower() for v in s["validators"]))


def test_votes_add_a_fifth_validator_then_remove_one_of_the_four_while_blocks_keep_committing(net):
    v0, v1, v2, v3 = net.validators
    # The newcomer: keys made like any node's, not in genesis; it starts with its validator key and
    # follows without voting. Only v0 lets it in at first (admin_addPeer, run-time allowlist).
    new = Member(net, "v4", True)
    net.members.append(new)  # so that stop_all stops it whatever happens
    run([NODE, "init", "--genesis", str(net.root / "genesis.json"), "--datadir", str(new.datadir)])
    net.wait_for_height(v0, 1)
    new.start()
    wait_until(lambda: "not in the current validator set" in new.log(), "the newcomer to say it follows without voting")
    load = Load(net, [v0, v1, v2, v3])
    try:
        admin_call(v0, "admin_addPeer", [f"{new.node_key}@127.0.0.1:{new.p2p_port}"])
        wait_until(lambda: new.height() >= v0.height() - 1 and new.height() > 3, "the newcomer to sync")
        start_height = v0.height()

        # Two of four votes: pending, nothing changes.
        out = vote(v0, "propose-add", new.address, new.node_key)
        assert re.search(r"votes\s+1 of 3 voting power", out), out
        out = vote(v1, "propose-add", new.address, new.node_key)
        assert re.search(r"votes\s+2 of 3 voting power", out), out
        # Read where the vote was sent: another node may be a block behind.
        pending = v1.call("quorate_pendingVotes")
        assert len(pending["proposals"]) == 1 and len(pending["proposals"][0]["votes"]) == 2
        listing = run([WALLET, "validator", "votes", "--rpc", v1.url]).stdout
        assert "add validator" in listing and "2 voted, 3 passes" in listing, listing

        # The third passes it: the set has five validators from the next height.
        out = vote(v2, "propose-add", new.address, new.node_key)
        assert "passed" in out and "validators  5 from block" in out, out
        added_at = int(re.search(r"in force from block (\d+)", out).group(1))
        assert v2.call("quorate_pendingVotes")["proposals"] == []

        # The newcomer takes part: it proposes a block, and its precommits are in certificates.
        def newcomer_signed():
            h = v0.height()
            for height in range(added_at, h + 1):
                commit = v0.call("quorate_getBlockCommit", [hex(height)])
                if commit and any(s["validator"].lower() == new.address.lower() for s in commit["signatures"]):
                    return True
            return False
        wait_until(newcomer_signed, "a certificate with the newcomer's precommit")
        wait_until(lambda: any(v0.block(h)["miner"].lower() == new.address.lower()
                               for h in range(added_at, v0.height() + 1)), "a block proposed by the newcomer")

        # A vote can be taken back before it passes.
        out = vote(v0, "propose-remove", v3.address)
        proposal = re.search(r"proposal (0x[0-9a-f]{64})", out).group(1)
        assert [p["id"] for p in v0.call("quorate_pendingVotes")["proposals"]] == [proposal]
        vote(v0, "withdraw", proposal)
        assert v0.call("quorate_pendingVotes")["proposals"] == []
        # An account that is not a validator cannot vote.
        outsider = net.root / "outsider.json"
        outsider.write_text(json.dumps(Account.encrypt(net.accounts[0].key, PASSWORD)))
        refused = run([WALLET, "validator", "propose-remove", v3.address, "--from", str(outsider), "--password-file",
                       str(net.password_file), "--rpc", v1.url], check=False)
        assert refused.returncode != 0 and "not authorized to vote on validators" in refused.stderr, refused.stderr

        # Remove v3: more than half of five is three votes, the newcomer's among them.
        vote(new, "propose-remove", v3.address)
        vote(v0, "propose-remove", v3.address)
        out = vote(v1, "propose-remove", v3.address)
        assert "passed" in out and "validators  4 from block" in out, out
        removed_at = int(re.search(r"in force from block (\d+)", out).group(1))

        # With v3 removed, v0 stopped too: v1, v2 and the newcomer are 3 of 4 and must keep committing.
        net.wait_for_height(v1, removed_at + 1)
        # A transfer acknowledged by a node killed within its gossip batch (5 ms) is lost with it, and
        # every later nonce of its sender waits behind the gap: the load is drained before the kills,
        # and a new load on the three that stay alive shows they keep committing.
        load.stop()
        for address, tx_hash in load.hashes:
            net.wait_for_receipt(v1, tx_hash)
        v3.kill()
        v0.kill()
        load = Load(net, [v1, v2, new])
        h = v1.height()
        net.wait_for_height(v1, h + 3)
        load.stop()
        assert load.hashes, "no transfer was sent to the three live validators"
        for address, tx_hash in load.hashes:
            net.wait_for_receipt(v1, tx_hash)
    finally:
        load.stop()

    # Every live node agrees on every block and on the validator set at every height.
    live = [v1, v2, new]
    top = min(m.height() for m in live)
    sizes = []
    for height in range(1, top + 1):
        sets = {validator_set(m, height) for m in live}
        assert len(sets) == 1, (height, sets)
        sizes.append(len(next(iter(sets))[1]))
        net.assert_agree(live, height)
    assert sizes[added_at - 1] == 5 and sizes[added_at - 2] == 4
    assert sizes[removed_at - 1] == 4 and sizes[removed_at - 2] == 5
    members = validator_set(v1, top)[1]
    assert new.address.lower() in members and v3.address.lower() not in members
    assert start_height < added_at < removed_at
    new.kill()
