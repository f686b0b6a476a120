"""Account permissioning on a real node: roles in genesis, refusals at submission, and role
changes by an admin through `quorate-wallet role` (docs/permissioning.md)."""
import json
import re
import time

import pytest
from eth_account import Account

from quorate import CHAIN_ID, NODE, WALLET, Chain, run

DEAD = "0x000000000000000000000000000000000000dEaD"
PERMISSIONS = "0x0000000000000000000000000000000051000001"


@pytest.fixture()
def permissioned(tmp_path):
    # accounts[0]: admin and transact; accounts[1]: no role; accounts[2]: transact only.
    c = Chain(tmp_path, genesis_args=lambda accts: [
        "--permissioning", "--role", f"{accts[0].address}=admin,transact", "--role", f"{accts[2].address}=transact"])
    c.start()
    yield c
    c.kill()


def signed(acct, nonce, to=DEAD, value=1, data=b""):
    gas = 21000 + sum(4 if b == 0 else 16 for b in data)
    tx = {"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": to, "value": value, "gas": gas,
          "maxFeePerGas": 0, "maxPriorityFeePerGas": 0, "data": data}
    return "0x" + acct.sign_transaction(tx).raw_transaction.hex().removeprefix("0x")


def wait_receipt(chain, tx_hash, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = chain.call("eth_getTransactionReceipt", [tx_hash])
        if r is not None:
            return r
        time.sleep(0.05)
    raise AssertionError(f"no receipt for {tx_hash}")


def send_error(chain, raw):
    return chain.rpc("eth_sendRawTransaction", [raw]).json()["error"]


def keystore(chain, tmp_path, acct):
    ks = tmp_path / f"ks-{acct.address}"
    key_file = tmp_path / f"{acct.address}.hex"
    key_file.write_text(acct.key.hex())
    run([WALLET, "import", "--key-file", str(key_file), "--keystore-dir", str(ks), "--password-file", str(chain.password_file)])
    return str(ks)


def role(chain, ks, op, address, roles, sender, check=True):
    return run([WALLET, "role", op, address, roles, "--from", sender.address, "--keystore-dir", ks,
                "--rpc", chain.url, "--password-file", str(chain.password_file)], check=check)


def test_grant_then_transact_revoke_then_refused_and_non_admin_refused(permissioned, tmp_path):
    chain = permissioned
    admin, user, other = chain.accounts
    perms = chain.call("quorate_getPermissions", [user.address])
    assert perms["accountPermissioning"] is True and perms["roles"] == [] and perms["canTransact"] is False
    assert perms["permissionsAddress"] == PERMISSIONS
    assert chain.call("quorate_getPermissions", [admin.address])["roles"] == ["admin", "transact"]

    # An unpermitted account is refused, with a clear error, and nothing is pooled.
    first = signed(user, 0)
    err = send_error(chain, first)
    assert err["code"] == -32000
    assert err["message"] == (f"sender not authorized to send transactions: {user.address} lacks the transact role"
                              " (account permissioning is on)")

    # The admin grants transact; the wallet waits for the commit and prints what changed.
    admin_ks = keystore(chain, tmp_path, admin)
    out = role(chain, admin_ks, "grant", user.address, "transact", admin).stdout
    assert "status      success" in out, out
    assert f"roles       {user.address}: none -> transact" in out, out
    granted_at = int(re.search(r"block\s+(\d+)", out).group(1))
    perms = chain.call("quorate_getPermissions", [user.address])
    assert perms["roles"] == ["transact"] and perms["rolesMask"] == "0x2" and perms["canTransact"] is True
    # History: the state at the block before the grant still has no role.
    assert chain.call("quorate_getPermissions", [user.address, hex(granted_at - 1)])["roles"] == []

    # The same transaction that was refused now commits.
    tx_hash = chain.call("eth_sendRawTransaction", [first])
    assert wait_receipt(chain, tx_hash)["status"] == "0x1"
    assert chain.call("eth_getTransactionCount", [user.address, "latest"]) == "0x1"

    # The role transaction is an ordinary transaction to the system address, with intrinsic gas.
    grant_tx = chain.call("eth_getBlockByNumber", [hex(granted_at), True])["transactions"][0]
    assert grant_tx["to"] == PERMISSIONS and grant_tx["value"] == "0x0"
    assert grant_tx["input"] == "0x01" + user.address[2:].lower() + "0000000000000002"

    # Revoking it refuses the next one.
    out = role(chain, admin_ks, "revoke", user.address, "transact", admin).stdout
    assert f"roles       {user.address}: transact -> none" in out, out
    err = send_error(chain, signed(user, 1))
    assert "lacks the transact role" in err["message"]

    # A non-admin's grant is refused at submission (with or without transact), through the wallet too.
    other_ks = keystore(chain, tmp_path, other)
    refused = role(chain, other_ks, "grant", user.address, "transact", other, check=False)
    assert refused.returncode == 1
    assert f"sender not authorized to manage roles: {other.address} lacks the admin role" in refused.stderr
    payload = bytes([1]) + bytes.fromhex(user.address[2:]) + (2).to_bytes(8, "big")
    err = send_error(chain, signed(user, 1, to=PERMISSIONS, value=0, data=payload))
    assert "lacks the transact role" not in err["message"] and "lacks the admin role" in err["message"]
    assert chain.call("quorate_getPermissions", [user.address])["roles"] == []

    # Nothing refused ever reached a block: the user's nonce is still 1.
    assert chain.call("eth_getTransactionCount", [user.address, "latest"]) == "0x1"


def test_bad_role_transactions_are_refused(permissioned):
    chain = permissioned
    admin, user, _ = chain.accounts
    payload = bytes([1]) + bytes.fromhex(user.address[2:]) + (2).to_bytes(8, "big")
    cases = [
        (signed(admin, 0, to=PERMISSIONS, value=1, data=payload), "value must be 0"),
        (signed(admin, 0, to=PERMISSIONS, value=0, data=payload[:-1]), "expected 29 bytes"),
        (signed(admin, 0, to=PERMISSIONS, value=0, data=payload[:-1] + bytes([8])), "unknown role bits 0x8"),
        (signed(admin, 0, to=PERMISSIONS, value=0, data=bytes([2]) + bytes.fromhex(admin.address[2:]) + (1).to_bytes(8, "big")),
         "cannot revoke its own admin role"),
    ]
    for raw, text in cases:
        err = send_error(chain, raw)
        assert text in err["message"], err


def test_permissions_on_a_chain_without_permissioning(chain, tmp_path):
    """A genesis without the section: anyone transacts, the wallet says roles do not apply."""
    acct = chain.accounts[0]
    perms = chain.call("quorate_getPermissions", [acct.address, "latest"])
    assert perms["accountPermissioning"] is False and perms["canTransact"] is True and perms["roles"] == []
    assert "permissioning" not in json.loads(chain.genesis.read_text())
    ks = keystore(chain, tmp_path, acct)
    out = role(chain, ks, "grant", DEAD, "transact", acct, check=False)
    assert out.returncode == 1 and "account permissioning off" in out.stderr


def test_genesis_flags_are_checked(tmp_path):
    admin = Account.create("x").address
    base = [NODE, "genesis", "--chain-id", "5", "--validator", admin]
    out = run(base + ["--permissioning"], check=False)
    assert out.returncode == 2 and "at least one admin" in out.stderr
    out = run(base + ["--role", f"{admin}=admin"], check=False)
    assert out.returncode == 2 and "needs --permissioning" in out.stderr
    genesis = json.loads(run(base + ["--permissioning", "--role", f"{admin}=admin,transact"]).stdout)
    assert genesis["permissioning"] == {"accounts": True, "roles": {admin: ["admin", "transact"]}}
