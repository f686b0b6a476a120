"""tools/testnet, the README's main command: up, status, a transfer, down."""
import os
import subprocess
from pathlib import Path

from quorate import ROOT, free_port, run


def test_testnet_up_status_transfer_down(tmp_path):
    env = {"QUORATE_TESTNET_DIR": str(tmp_path / "net"), "QUORATE_RPC_BASE_PORT": str(free_port())}
    script = str(ROOT / "tools" / "testnet")
    try:
        up = run([script, "up"], env=env, timeout=600).stdout
        assert "Quorate testnet is up" in up
        url = next(line.split()[1] for line in up.splitlines() if line.strip().startswith("node0"))
        accounts = (tmp_path / "net" / "accounts.txt").read_text().split()
        assert len(accounts) == 4
        status = run([script, "status"], env=env).stdout
        assert "node0" in status and "height" in status
        sent = run([str(ROOT / ".build" / "release" / "quorate-wallet"), "send",
                    "--keystore-dir", str(tmp_path / "net" / "accounts"),
                    "--password-file", str(tmp_path / "net" / "password.txt"),
                    "--from", accounts[0], "--to", accounts[1], "--value", "2ether", "--rpc", url]).stdout
        assert "status      success" in sent
        assert oct((tmp_path / "net" / "password.txt").stat().st_mode & 0o777) == "0o600"
        pids = [int(p) for p in (tmp_path / "net" / "pids").read_text().split()]
        assert "JSON-RPC listening" in run([script, "logs", "0"], env=env).stdout
    finally:
        down = run([script, "down"], env=env).stdout
    assert "stopped 1 node(s)" in down
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_testnet_refuses_more_validators_until_the_network_exists(tmp_path):
    env = {"QUORATE_TESTNET_DIR": str(tmp_path / "net")}
    out = run([str(ROOT / "tools" / "testnet"), "up", "--validators", "4"], env=env, check=False)
    assert out.returncode != 0 and "single-validator" in out.stderr
