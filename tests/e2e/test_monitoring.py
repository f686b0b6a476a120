"""Prometheus scrapes a real testnet: metrics pass promtool, PromQL sees the chain grow and a
killed validator reported missing; /health turns 503 with the reason when the chain stalls;
the alert rules and the Grafana dashboard are checked against what the nodes really export."""
import json
import re
import subprocess
import time

import pytest
import requests

from monitoring import LocalNet, eventually
from quorate import ROOT

DEPLOY = ROOT / "deploy" / "monitoring"


def test_alert_rules_pass_promtool():
    out = subprocess.run(["promtool", "check", "rules", str(DEPLOY / "alerts.yml")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS: 6 rules found" in out.stdout
    rules = (DEPLOY / "alerts.yml").read_text()
    for alert in ["QuorateChainStalled", "QuorateValidatorMissing", "QuoratePeerCountLow", "QuorateNodeLagging"]:
        assert f"alert: {alert}" in rules


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    # A short stall bound so the stalled-chain case takes seconds, not the default 30 s.
    # JSON logs here, so the round summary is checked as a structured event.
    n = LocalNet(tmp_path_factory.mktemp("monitoring"), monitoring=True,
                 node_args="--health-stall-seconds 6 --log-format json").up()
    yield n
    down = n.down()
    assert "stopped Prometheus" in down


def metric_families(text):
    return set(re.findall(r"^# TYPE (\S+) ", text, re.M))


def test_metrics_pass_promtool_and_name_the_issue_families(net):
    text = requests.get(net.url(0) + "/metrics", timeout=10).text
    out = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    families = metric_families(text)
    for name in ["quorate_block_height", "quorate_head_age_seconds", "quorate_consensus_height", "quorate_consensus_round",
                 "quorate_consensus_step", "quorate_consensus_round_duration_seconds", "quorate_block_interval_seconds",
                 "quorate_validator_signed_last_commit", "quorate_validator_last_signed_height", "quorate_validator_missed_blocks",
                 "quorate_consensus_missing_voting_power", "quorate_consensus_byzantine_voting_power",
                 "quorate_consensus_proposals_made_total", "quorate_consensus_proposals_refused_total",
                 "quorate_mempool_transactions", "quorate_mempool_executable_transactions", "quorate_mempool_bytes", "quorate_mempool_admitted_total",
                 "quorate_mempool_rejected_total", "quorate_transactions_committed_total", "quorate_commit_latency_seconds",
                 "quorate_peers", "quorate_p2p_bytes_total", "quorate_p2p_messages_total", "quorate_p2p_handshake_failures_total",
                 "quorate_p2p_hold_offs_total", "quorate_sync_syncing", "quorate_sync_lag_blocks", "quorate_rpc_requests_total",
                 "quorate_rpc_errors_total", "quorate_rpc_request_duration_seconds", "quorate_store_write_seconds",
                 "quorate_leveldb_size_bytes", "quorate_leveldb_compaction_seconds_total", "quorate_process_cpu_seconds_total",
                 "quorate_process_resident_memory_bytes", "quorate_process_open_fds", "quorate_stage_cpu_seconds_total"]:
        assert name in families, name
    stages = set(re.findall(r'^quorate_stage_cpu_seconds_total\{stage="([a-z_]+)"\}', text, re.M))
    assert {"rpc_parse", "rlp_decode", "sender_recovery", "admission", "gossip_in", "gossip_out", "proposal_build",
            "proposal_validation", "state_update", "receipts_index", "store_write", "consensus", "block_sync"} <= stages
    # Unknown methods are one label, whatever a client sends.
    for i in range(3):
        requests.post(net.url(0), json={"jsonrpc": "2.0", "id": 1, "method": f"made_up_{i}"}, timeout=10)
    text = requests.get(net.url(0) + "/metrics", timeout=10).text
    assert 'quorate_rpc_requests_total{method="other"} 3' in text
    assert "made_up" not in text


def round_summary(net, victim):
    """The first round-summary event of node0's JSON log whose silent validators include `victim`."""
    for line in (net.dir / "node0" / "node.log").read_text().splitlines():
        if not line.startswith("{"):
            continue  # the one plain line: "JSON-RPC listening on ..." on standard output
        event = json.loads(line)
        assert {"ts", "level", "module", "msg"} <= event.keys(), event
        if event["msg"].startswith("round summary") and victim in event.get("silent", ""):
            return event
    return None


def test_grafana_dashboard_names_only_metrics_the_nodes_export(net):
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(dashboard["panels"]) >= 20
    named = {re.sub(r"_(bucket|sum|count)$", "", m) for e in exprs for m in re.findall(r"quorate_[a-z0-9_]+", e)}
    families = metric_families(requests.get(net.url(1) + "/metrics", timeout=10).text)
    assert named and not (named - families), f"dashboard names metrics no node exports: {sorted(named - families)}"


def test_prometheus_sees_the_height_rise_then_a_killed_validator_missing_then_the_stall(net):
    heights = eventually("Prometheus scraping all four nodes",
                         lambda: (lambda r: r if len(r) == 4 else None)(net.promql("quorate_block_height")))
    start = max(int(r["value"][1]) for r in heights)
    eventually("the height to rise in Prometheus", lambda: net.promql(f"min(quorate_block_height) > {start}"))
    assert requests.get(net.url(0) + "/health", timeout=10).status_code == 200
    assert requests.get(net.url(0) + "/health?ready", timeout=10).status_code == 200

    victim = net.address(3)
    net.kill(3)
    killed_at = time.time()
    reported = eventually(
        "the three live nodes reporting the killed validator missing",
        lambda: (lambda r: r if len(r) == 3 else None)(
            net.promql(f'quorate_validator_signed_last_commit{{validator="{victim}"}} == 0')), timeout=60)
    assert {r["metric"]["node"] for r in reported} == {"node0", "node1", "node2"}
    print(f"killed validator reported missing by all three after {time.time() - killed_at:.1f} s")
    health = net.rpc(0, "quorate_health")
    assert health["healthy"] and health["status"] == "ok"  # 3 of 4 still commit
    row = next(v for v in health["validators"] if v["address"] == victim)
    assert row["signedLastCommit"] is False and row["connected"] is False
    assert any(victim[:8] in w and "missed the last commit" in w for w in health["warnings"])
    assert any(victim in c["missing"] for c in health["recentCommits"])

    # The killed validator's turn as proposer makes a height take two rounds: an info event says who voted.
    summary = eventually("a round summary naming the silent validator", lambda: round_summary(net, victim), timeout=60)
    assert int(summary["rounds"]) >= 2 and summary["level"] == "info" and summary["module"] == "consensus"
    assert victim not in summary["voted"] and int(summary["duration_ms"]) > 0

    # A second validator down: 2 of 4 cannot commit. Within the 6 s bound plus a heartbeat, /health says why.
    second = net.address(2)
    net.kill(2)
    body = eventually("/health to answer 503 for the stalled chain",
                      lambda: (lambda r: r.json() if r.status_code == 503 else None)(requests.get(net.url(0) + "/health", timeout=10)),
                      timeout=60)
    assert body["status"] == "stalled" and not body["healthy"] and body["ready"]
    reason = body["reasons"][0]
    assert reason.startswith("no block committed for ") and "at height" in reason
    assert "missing" in reason and second[:8] in reason and victim[:8] in reason and "not connected" in reason
    assert "voting power is missing" in reason
    assert requests.get(net.url(0) + "/health?ready", timeout=10).status_code == 200
    assert net.rpc(0, "quorate_health")["status"] == "stalled"
