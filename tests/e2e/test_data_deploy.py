"""The deployment files in deploy/ pass offline validation: systemd-analyze for the unit,
kubernetes-validate (pinned, against a pinned Kubernetes version) for the manifests."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from quorate import NODE, ROOT

KUBERNETES_VERSION = "1.31.0"
UNIT = ROOT / "deploy" / "systemd" / "quorate-node.service"
MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))


def verify_unit(tmp_path, text):
    """systemd-analyze verify on `text` with ExecStart pointing at the built binary; returns its stderr
    (verify exits 0 on unknown keys and bad values, and only says so on stderr)."""
    unit = tmp_path / "quorate-node.service"
    unit.write_text(text.replace("/usr/local/bin/quorate-node", NODE))
    proc = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stderr.strip()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="tools/install-deps installs systemd")
def test_the_systemd_unit_verifies_cleanly_and_a_broken_copy_does_not(tmp_path):
    text = UNIT.read_text()
    assert verify_unit(tmp_path, text) == (0, "")
    for must in ("LoadCredential=password:", "--password-file %d/password", "Restart=on-failure",
                 "NoNewPrivileges=yes", "ProtectSystem=strict", "SystemCallFilter=@system-service"):
        assert must in text
    code, errors = verify_unit(tmp_path, text.replace("Restart=on-failure", "Restart=sometimes"))
    assert "restart specifier" in errors


def test_the_kubernetes_manifests_validate_strictly_against_the_pinned_version():
    proc = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "-k", KUBERNETES_VERSION,
                           *map(str, MANIFESTS)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("passed") == sum(len([d for d in yaml.safe_load_all(p.read_text()) if d]) for p in MANIFESTS)


def test_a_manifest_with_a_misspelt_field_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MANIFESTS[-1].read_text().replace("readinessProbe:", "readynessProbe:"))
    proc = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "-k", KUBERNETES_VERSION, str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0


def test_each_validator_is_a_statefulset_with_a_volume_probes_and_keys_from_a_secret():
    docs = [d for p in MANIFESTS for d in yaml.safe_load_all(p.read_text()) if d]
    services = [d for d in docs if d["kind"] == "Service"]
    assert any(s["spec"].get("clusterIP") == "None" for s in services)
    sets = [d for d in docs if d["kind"] == "StatefulSet"]
    assert len(sets) == 4
    for s in sets:
        spec = s["spec"]
        assert spec["replicas"] == 1 and spec["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
        pod = spec["template"]["spec"]
        node = pod["containers"][0]
        assert node["livenessProbe"]["httpGet"]["path"] == "/health"
        assert node["readinessProbe"]["httpGet"]["path"] == "/health?ready"
        secrets = [v for v in pod["volumes"] if "secret" in v]
        assert secrets and secrets[0]["secret"]["secretName"].endswith("-keys")
        assert "--password-file" in node["args"]
