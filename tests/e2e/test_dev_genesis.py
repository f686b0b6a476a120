"""Genesis/dev.json with its shipped (public) dev keys: init, start, transfer."""
import re
import subprocess

from quorate import NODE, ROOT, WALLET, run

DEV = ROOT / "Genesis" / "dev"
FUNDED = "0x7cf3f9e4bFC7D4332aC613BB69839A4f9e7494A0"
OTHER = "0x686c4D1c1E712AEdD5203C7BF117773D39d732EE"


def test_the_example_genesis_starts_with_its_dev_validator_and_accounts(tmp_path):
    run([NODE, "init", "--genesis", str(ROOT / "Genesis" / "dev.json"), "--datadir", str(tmp_path / "dev")])
    node = subprocess.Popen([NODE, "start", "--datadir", str(tmp_path / "dev"), "--rpc-port", "0", "--p2p-host", "127.0.0.1", "--p2p-port", "0",
                             "--validator-key", str(DEV / "validator.json"),
                             "--password-file", str(DEV / "password.txt")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = re.search(r"listening on (\S+)", node.stdout.readline()).group(1)
        common = ["--keystore-dir", str(DEV / "accounts"), "--password-file", str(DEV / "password.txt"), "--rpc", url]
        assert "1000000 ether" in run([WALLET, "balance", FUNDED, "--rpc", url]).stdout
        sent = run([WALLET, "send", "--from", FUNDED, "--to", OTHER, "--value", "1.5ether", *common]).stdout
        assert "status      success" in sent
        assert "1000001.5 ether" in run([WALLET, "balance", OTHER, "--rpc", url]).stdout
    finally:
        node.kill()
        node.wait()
