"""The pool's bounds through the real node: a client is pushed back with geth's `txpool is full` once the
pool holds `--txpool-client-max-transactions` transactions that can execute; transactions waiting behind a
missing nonce do not count; the flags refuse values out of range."""
import re
import subprocess

import requests

from quorate import CHAIN_ID, NODE, Chain

SINK = "0x000000000000000000000000000000000000dEaD"


def raw_transfer(account, nonce):
    signed = account.sign_transaction({"type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": SINK, "value": 1,
                                       "gas": 21000, "maxFeePerGas": 0, "maxPriorityFeePerGas": 0})
    return "0x" + bytes(signed.raw_transaction).hex()


def test_clients_hear_txpool_is_full_at_the_executable_bound_and_gapped_transactions_do_not_count(tmp_path):
    chain = Chain(tmp_path, funded_accounts=2)
    # Non-voting and without peers: nothing commits, so what is pooled stays pooled.
    chain.start(["--non-voting", "--txpool-client-max-transactions", "3"])
    try:
        alice, bob = chain.accounts
        # Nonces 1..4 of alice wait for 0: not a backlog, all taken.
        for nonce in range(1, 5):
            assert "result" in chain.rpc("eth_sendRawTransaction", [raw_transfer(alice, nonce)]).json()
        metrics = requests.get(chain.url + "/metrics", timeout=10).text
        assert re.search(r"^quorate_mempool_transactions 4$", metrics, re.M), metrics
        assert re.search(r"^quorate_mempool_executable_transactions 0$", metrics, re.M), metrics
        # The missing nonce is taken, and the run of five now counts.
        assert "result" in chain.rpc("eth_sendRawTransaction", [raw_transfer(alice, 0)]).json()
        answer = chain.rpc("eth_sendRawTransaction", [raw_transfer(bob, 0)]).json()
        assert answer["error"]["code"] == -32000 and answer["error"]["message"] == "txpool is full", answer
        metrics = requests.get(chain.url + "/metrics", timeout=10).text
        assert re.search(r"^quorate_mempool_executable_transactions 5$", metrics, re.M), metrics
        assert 'quorate_mempool_rejected_total{reason="pool_full",source="rpc"} 1' in metrics, metrics
        # The node keeps serving.
        assert chain.call("eth_chainId") == hex(CHAIN_ID)
    finally:
        chain.kill()


def test_pool_and_proposal_flags_refuse_values_out_of_range(tmp_path):
    chain = Chain(tmp_path, funded_accounts=1)
    for flag, value, text in [("--txpool-client-max-transactions", "0", "1...1000000"),
                              ("--txpool-max-transactions", "1000001", "1...1000000"),
                              ("--proposal-build-ms-max", "60001", "0...60000 milliseconds")]:
        out = subprocess.run([NODE, "start", "--datadir", str(chain.datadir), "--password-file", str(chain.password_file),
                              flag, value], capture_output=True, text=True, timeout=60)
        assert out.returncode == 2, (flag, out.returncode, out.stderr)
        assert flag in out.stderr and text in out.stderr, out.stderr
