"""Measures how long a network takes to commit again after a partition heals, for cuts of given
lengths, with real nodes on separate hosts (network namespaces) under ~20 signed transfers/s.

  split:    2|2 (no side has a quorum): seconds from the heal to the first new block anywhere.
  minority: 1|3 (the majority goes on): seconds from the heal until the cut-off validator has
            the block the majority had at the heal (its sync time included).

Run through tools/partition-bench (root; needs ip and tc). Prints a table; --json-out writes it.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import netns  # noqa: E402
from nsnet import Ledger, Load, NsNetwork, check_consistent, wait_until  # noqa: E402

POLL_S = 0.02


def first_commit_after(net, members, height, limit):
    """Seconds until any of `members` is above `height` (polled every POLL_S)."""
    start = time.time()
    while time.time() - start < limit:
        if net.max_head(members) > height:
            return time.time() - start
        time.sleep(POLL_S)
    return None


def caught_up_after(member, height, limit):
    start = time.time()
    while time.time() - start < limit:
        try:
            if member.height() >= height:
                return time.time() - start
        except OSError:
            pass
        time.sleep(POLL_S)
    return None


def settle(net, members, seconds=3):
    """Waits until every member commits again and has had `seconds` of normal running."""
    head = net.max_head(members)
    wait_until(lambda: min(net.heads(members).values()) > head, "the network to run normally", 120)
    time.sleep(seconds)


def measure(net, scenario, length, limit):
    v = net.validators
    settle(net, v)
    if scenario == "split":
        net.lab.partition([0, 1], [2, 3])
        time.sleep(length)
        head = net.max_head(v)
        net.lab.heal()
        return first_commit_after(net, v, head, limit)
    net.lab.partition([3], [0, 1, 2])
    time.sleep(length)
    head, behind = net.max_head(v[:3]), v[3].height()
    net.lab.heal()
    seconds = caught_up_after(v[3], head, limit)
    print(f"  1|3 cut of {length:g} s: the majority at {head}, the cut-off node at {behind} when healed",
          file=sys.stderr)
    return seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lengths", default="2,5,10,13,14.5,16,30,60,120", help="cut lengths in seconds")
    p.add_argument("--scenarios", default="split,minority")
    p.add_argument("--limit", type=float, default=120, help="give up on one recovery after this many seconds")
    p.add_argument("--label", default="", help="a name for this binary in the output")
    p.add_argument("--json-out")
    a = p.parse_args()
    reason = netns.unavailable_reason()
    if reason:
        print(f"partition-bench: cannot run: {reason}", file=sys.stderr)
        return 2
    netns.cleanup_stale()
    lengths = [float(x) for x in a.lengths.split(",")]
    scenarios = a.scenarios.split(",")
    results = {s: {} for s in scenarios}
    with tempfile.TemporaryDirectory(prefix="partition-bench-") as root:
        net = NsNetwork(Path(root), validators=4)
        load = None
        try:
            net.start_all()
            load = Load(net, {i: m for i, m in enumerate(net.validators)}).start()
            ledger = Ledger(net)
            for scenario in scenarios:
                for length in lengths:
                    seconds = measure(net, scenario, length, a.limit)
                    results[scenario][length] = seconds
                    shown = "no recovery within the limit" if seconds is None else f"{seconds:.2f} s"
                    print(f"{a.label} {scenario} cut {length:g} s: {shown}", file=sys.stderr, flush=True)
            load.stop()
            check_consistent(net, load, ledger)
        except BaseException:
            for m in net.members:
                print(f"----- {m.name}\n" + "\n".join(m.log().splitlines()[-30:]), file=sys.stderr)
            raise
        finally:
            if load:
                load.stop()
            net.close()
    print(f"| cut (s) | " + " | ".join(f"{s} {a.label}".strip() + " (s)" for s in scenarios) + " |")
    print("|---|" + "---|" * len(scenarios))
    for length in lengths:
        cells = ["-" if results[s][length] is None else f"{results[s][length]:.2f}" for s in scenarios]
        print(f"| {length:g} | " + " | ".join(cells) + " |")
    if a.json_out:
        Path(a.json_out).write_text(json.dumps({s: {str(k): v for k, v in r.items()} for s, r in results.items()},
                                               indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
