"""quorate-bench: the quick mode as a smoke test (every transfer committed exactly once, totals
balance; no speed is asserted), and the bench's answers to bad input."""
import json
import os

from eth_account import Account

from quorate import BIN, PASSWORD, Chain, free_port, run

BENCH = str(BIN / "quorate-bench")
CHECKS = {
    "each submitted transfer is in exactly one block",
    "each hash has one successful receipt",
    "block transaction counts sum to the submitted count",
    "sender nonces advanced exactly",
    "totals balance (before = after + fees)",
}


def bench(*args, timeout=300):
    return run([BENCH, *args], check=False, timeout=timeout)


def test_quick_mode_commits_every_transfer_exactly_once_and_totals_balance(tmp_path):
    out = tmp_path / "result.json"
    proc = bench("--quick", "--json-out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    assert result["complete"] and result["verificationPassed"]
    assert {c["name"] for c in result["checks"] if c["passed"]} == CHECKS
    transfers = result["transfers"]
    assert transfers["submitted"] == transfers["committed"] == transfers["presigned"] == 3000
    assert result["throughput"]["blocks"] >= 1
    assert result["latencyMs"]["count"] == 3000
    assert result["node"]["rssBytes"] > 0 and result["node"]["cpuS"] > 0
    assert "committed transfers/s" in proc.stdout and "check passed" in proc.stdout
    assert "submitted" in proc.stderr  # the progress line


def test_keystore_accounts_fund_the_bench_on_a_chain_it_did_not_make(tmp_path):
    chain = Chain(tmp_path, funded_accounts=2)
    chain.start()
    try:
        keystore = tmp_path / "keystore"
        keystore.mkdir()
        for i, acct in enumerate(chain.accounts):
            doc = Account.encrypt(acct.key, PASSWORD, kdf="pbkdf2", iterations=1000)
            (keystore / f"key{i}.json").write_text(json.dumps(doc))
        proc = bench("--rpc", chain.url, "--accounts-keystore", str(keystore), "--password-file",
                     str(chain.password_file), "--transactions", "400", "--accounts", "8", "--verify")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "funding 8 bench accounts from 2 keystore accounts" in proc.stderr
        assert proc.stdout.count("check passed") == len(CHECKS)
    finally:
        chain.kill()


def test_a_chain_without_funded_accounts_is_refused(chain):
    proc = bench("--rpc", chain.url, "--transactions", "100", timeout=60)
    assert proc.returncode == 1
    assert "chain without funded accounts" in proc.stderr and "--accounts-keystore" in proc.stderr


def test_an_unreachable_url_fails_at_its_first_connect_with_a_clear_message():
    # The run's timeout bounds a hang; what is checked is that the first connect's refusal is
    # what ended it (no waiting on retries or timeouts), and that nothing was submitted.
    proc = bench("--rpc", f"http://127.0.0.1:{free_port()}", "--transactions", "10", timeout=60)
    assert proc.returncode == 1
    assert "cannot reach http://127.0.0.1:" in proc.stderr and "quorate-node running" in proc.stderr
    assert "Connection refused" in proc.stderr, proc.stderr
    assert "submitted" not in proc.stderr, proc.stderr


def test_a_rate_it_cannot_sustain_is_reported_against_the_target(tmp_path):
    out = tmp_path / "result.json"
    proc = bench("--rate", "5000000", "--transactions", "2000", "--accounts", "10", "--json-out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the run completed, only slower
    result = json.loads(out.read_text())
    assert result["config"]["ratePerS"] == 5000000
    assert result["throughput"]["submittedPerS"] < 5000000
    assert any("could not sustain --rate 5,000,000" in n for n in result["notes"])


def test_testnet_quick_mode_spreads_transfers_over_four_validators_and_commits_each_once(tmp_path):
    out = tmp_path / "result.json"
    proc = bench("--mode", "testnet", "--quick", "--workdir", str(tmp_path / "work"), "--json-out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    assert result["complete"] and result["verificationPassed"]
    assert {c["name"] for c in result["checks"] if c["passed"]} == CHECKS
    transfers = result["transfers"]
    assert transfers["submitted"] == transfers["committed"] == transfers["presigned"] == 400
    assert transfers["foreignTransactions"] == 0
    nodes = result["nodes"]
    assert [n["name"] for n in nodes] == ["node0", "node1", "node2", "node3"]
    assert all(n["rssBytes"] > 0 and n["cpuS"] >= 0 and n["dataDirGrowthBytes"] >= 0 for n in nodes)
    assert result["node"]["dataDirGrowthBytes"] == sum(n["dataDirGrowthBytes"] for n in nodes)
    assert "4 validators of tools/testnet started by the bench" in proc.stdout
    # The testnet the bench started is stopped and its folder removed.
    assert not (tmp_path / "work" / "testnet").exists()
    assert "quorate-node start --datadir " + str(tmp_path) not in run(["ps", "-eo", "args"]).stdout


def test_sync_quick_mode_ends_with_the_fresh_node_at_the_validators_head_and_state_root(tmp_path):
    out = tmp_path / "result.json"
    proc = bench("--mode", "sync", "--quick", "--json-out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(out.read_text())
    assert result["complete"] and result["verificationPassed"]
    assert result["chain"]["transfers"] == 2000 and result["chain"]["height"] >= 1
    assert result["sync"]["transfersPerS"] > 0 and result["freshNode"]["dataDirBytes"] > 0
    assert "check passed: the fresh node's block at the validator's head has the same hash and state root" in proc.stdout
    assert "building the chain" in proc.stderr and "fresh started" in proc.stderr


def test_a_testnet_dir_without_a_running_testnet_is_refused_with_what_to_do(tmp_path):
    proc = bench("--mode", "testnet", "--testnet-dir", str(tmp_path), "--transactions", "10", timeout=60)
    assert proc.returncode == 1
    assert f"no running testnet in {tmp_path}" in proc.stderr and "tools/testnet up" in proc.stderr


def test_a_testnet_that_fails_to_start_is_reported_and_cleaned_up(tmp_path):
    # A quorate-node that fails at its first command (keygen) makes `tools/testnet up` fail.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "quorate-node"
    fake.write_text("#!/bin/sh\necho 'cannot start: broken on purpose' >&2\nexit 1\n")
    fake.chmod(0o755)
    (bindir / "quorate-wallet").symlink_to(BIN / "quorate-wallet")
    proc = bench("--mode", "testnet", "--quick", "--node-bin", str(fake), "--workdir", str(tmp_path / "work"), timeout=120)
    assert proc.returncode == 1
    assert "the testnet failed to start (tools/testnet up exit 1)" in proc.stderr
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir())


def test_options_of_another_mode_are_usage_errors():
    for args in (["--mode", "testnet", "--rpc", "http://127.0.0.1:8545"], ["--mode", "sync", "--rpc", "http://127.0.0.1:8545"],
                 ["--testnet-dir", "/tmp"]):
        proc = bench(*args, timeout=30)
        assert proc.returncode == 2, args
        assert "quorate-bench:" in proc.stderr


def test_bad_options_are_usage_errors():
    for args in (["--rate", "fast"], ["--threads", "0"], ["--frobnicate"], ["--password", "x"]):
        proc = bench(*args, timeout=30)
        assert proc.returncode == 2, args
        assert "quorate-bench:" in proc.stderr
