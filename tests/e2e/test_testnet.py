"""tools/testnet, the README's main command: 4 validators up, status, a transfer, down."""
import re
import time
from pathlib import Path

from monitoring import free_port_run
from quorate import ROOT, run


def test_testnet_up_status_transfer_down(tmp_path):
    env = {"QUORATE_TESTNET_DIR": str(tmp_path / "net"), "QUORATE_RPC_BASE_PORT": str(free_port_run(4)),
           "QUORATE_P2P_BASE_PORT": str(free_port_run(4))}
    script = str(ROOT / "tools" / "testnet")
    pids = []
    try:
        up = run([script, "up"], env=env, timeout=600).stdout
        assert "Quorate testnet is up" in up and "4 validator(s)" in up
        urls = [line.split()[1] for line in up.splitlines() if re.match(r"\s+node\d\s", line)]
        assert len(urls) == 4
        accounts = (tmp_path / "net" / "accounts.txt").read_text().split()
        assert len(accounts) == 4
        pids = [int(p) for p in (tmp_path / "net" / "pids").read_text().split()]
        sent = run([str(ROOT / ".build" / "release" / "quorate-wallet"), "send",
                    "--keystore-dir", str(tmp_path / "net" / "accounts"),
                    "--password-file", str(tmp_path / "net" / "password.txt"),
                    "--from", accounts[0], "--to", accounts[1], "--value", "2ether", "--rpc", urls[2]]).stdout
        assert "status      success" in sent
        balance = run([str(ROOT / ".build" / "release" / "quorate-wallet"), "balance", accounts[1], "--rpc", urls[0]]).stdout
        deadline = time.time() + 60
        while "1000002 ether" not in balance and time.time() < deadline:
            time.sleep(0.2)
            balance = run([str(ROOT / ".build" / "release" / "quorate-wallet"), "balance", accounts[1], "--rpc", urls[0]]).stdout
        assert "1000002 ether" in balance
        status = run([script, "status"], env=env).stdout
        assert len(re.findall(r"node\d .* height \d+ +peers 3", status)) == 4, status
        assert oct((tmp_path / "net" / "password.txt").stat().st_mode & 0o777) == "0o600"
        assert "JSON-RPC listening" in run([script, "logs", "1"], env=env).stdout
    finally:
        down = run([script, "down"], env=env).stdout
    assert "stopped 4 node(s)" in down
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_testnet_refuses_a_bad_validator_count(tmp_path):
    out = run([str(ROOT / "tools" / "testnet"), "up", "--validators", "0"],
              env={"QUORATE_TESTNET_DIR": str(tmp_path / "net")}, check=False)
    assert out.returncode != 0 and "--validators must be 1...64" in out.stderr
