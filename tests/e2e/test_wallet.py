"""quorate-wallet against a running node: keys, balance, send, offline sign and submit, tx."""
import re

from eth_account import Account

from quorate import CHAIN_ID, PASSWORD, WALLET, run

DEAD = "0x000000000000000000000000000000000000dEaD"


def wallet(chain, *args, env=None, check=True, input=None):
    return run([WALLET, *args], env=env, check=check, input=input)


def test_new_import_balance_send_and_tx(chain, tmp_path):
    ks = str(tmp_path / "ks")
    funded = chain.accounts[0]
    key_file = tmp_path / "key.hex"
    key_file.write_text(funded.key.hex())
    out = wallet(chain, "import", "--key-file", str(key_file), "--keystore-dir", ks,
                 "--password-file", str(chain.password_file)).stdout
    assert funded.address in out
    assert funded.address in wallet(chain, "list", "--keystore-dir", ks).stdout
    created = wallet(chain, "new", "--keystore-dir", ks, env={"QUORATE_PASSWORD": PASSWORD}).stdout
    new_address = re.search(r"address:\s+(0x[0-9a-fA-F]{40})", created).group(1)

    assert "1000 ether" in wallet(chain, "balance", funded.address, "--rpc", chain.url).stdout
    sent = wallet(chain, "send", "--from", funded.address, "--keystore-dir", ks, "--to", new_address,
                  "--value", "1.5ether", "--rpc", chain.url, "--password-file", str(chain.password_file)).stdout
    assert "status      success" in sent and "gas used    21000" in sent
    tx_hash = re.search(r"transaction (0x[0-9a-f]{64})", sent).group(1)
    assert "1.5 ether (1500000000000000000 wei)" in wallet(chain, "balance", new_address, "--rpc", chain.url).stdout
    shown = wallet(chain, "tx", tx_hash, "--rpc", chain.url).stdout
    assert "status      success" in shown and "value       1.5 ether" in shown


def test_offline_sign_then_submit(chain, tmp_path):
    ks = str(tmp_path / "ks")
    funded = chain.accounts[1]
    key_file = tmp_path / "key.hex"
    key_file.write_text("0x" + funded.key.hex())
    wallet(chain, "import", "--key-file", str(key_file), "--keystore-dir", ks, "--password-file", str(chain.password_file))
    raw = wallet(chain, "sign", "--from", funded.address, "--keystore-dir", ks, "--to", DEAD, "--value", "20gwei",
                 "--nonce", "0", "--chain-id", str(CHAIN_ID), "--password-file", str(chain.password_file)).stdout.strip()
    assert raw.startswith("0x02")
    # eth-account agrees on the sender of what the wallet signed.
    assert Account.recover_transaction(raw) == funded.address
    submitted = wallet(chain, "submit", raw, "--rpc", chain.url).stdout
    assert "status      success" in submitted
    assert chain.call("eth_getBalance", [DEAD, "latest"]) == hex(20 * 10**9)


def test_passwords_are_never_taken_from_the_command_line(chain, tmp_path):
    refused = wallet(chain, "new", "--keystore-dir", str(tmp_path), "--password", "hunter2", check=False)
    assert refused.returncode == 2 and "never taken on the command line" in refused.stderr
    no_source = wallet(chain, "new", "--keystore-dir", str(tmp_path), check=False, input="")
    assert no_source.returncode != 0 and "--password-file" in no_source.stderr


def test_wallet_reports_a_node_that_is_not_there(chain):
    out = wallet(chain, "balance", DEAD, "--rpc", "http://127.0.0.1:1", check=False)
    assert out.returncode == 1 and "cannot connect" in out.stderr


def test_rejected_transfer_shows_the_nodes_reason(chain, tmp_path):
    ks = str(tmp_path / "ks")
    created = wallet(chain, "new", "--keystore-dir", ks, env={"QUORATE_PASSWORD": PASSWORD}).stdout
    poor = re.search(r"address:\s+(0x[0-9a-fA-F]{40})", created).group(1)
    out = wallet(chain, "send", "--from", poor, "--keystore-dir", ks, "--to", DEAD, "--value", "1ether",
                 "--rpc", chain.url, env={"QUORATE_PASSWORD": PASSWORD}, check=False)
    assert out.returncode == 1 and "insufficient funds for gas * price + value" in out.stderr
