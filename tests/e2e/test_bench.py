"""quorate-bench: the quick mode as a smoke test (every transfer committed exactly once, totals
balance; no speed is asserted), and the bench's answers to bad input."""
import json
import os
import time

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


def test_an_unreachable_url_fails_fast_with_a_clear_message():
    start = time.monotonic()
    proc = bench("--rpc", f"http://127.0.0.1:{free_port()}", "--transactions", "10", timeout=60)
    assert proc.returncode == 1
    assert "cannot reach http://127.0.0.1:" in proc.stderr and "quorate-node running" in proc.stderr
    assert time.monotonic() - start < 30


def test_a_rate_it_cannot_sustain_is_reported_against_the_target(tmp_path):
    out = tmp_path / "result.json"
    proc = bench("--rate", "5000000", "--transactions", "2000", "--accounts", "10", "--json-out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the run completed, only slower
    result = json.loads(out.read_text())
    assert result["config"]["ratePerS"] == 5000000
    assert result["throughput"]["submittedPerS"] < 5000000
    assert any("could not sustain --rate 5,000,000" in n for n in result["notes"])


def test_testnet_and_sync_modes_are_refused_with_what_to_do_instead():
    for mode in ("testnet", "sync"):
        proc = bench("--mode", mode, timeout=30)
        assert proc.returncode == 1
        assert f"--mode {mode} is not wired into quorate-bench yet" in proc.stderr and "issue 4" in proc.stderr
    assert "--accounts-keystore testnet/accounts" in bench("--mode", "testnet", timeout=30).stderr


def test_bad_options_are_usage_errors():
    for args in (["--rate", "fast"], ["--threads", "0"], ["--frobnicate"], ["--password", "x"]):
        proc = bench(*args, timeout=30)
        assert proc.returncode == 2, args
        assert "quorate-bench:" in proc.stderr
