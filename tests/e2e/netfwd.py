"""A lossy, slow wire between two interfaces, in user space (this kernel has no netem qdisc).

Reads every frame arriving on one interface (AF_PACKET) and writes it out of the other, after
dropping it with the direction's loss probability and holding it `--delay-ms`. Run inside the
hub namespace by netns.Lab.impair: `--host-side` is the veth toward the host, `--bridge-side`
a veth whose peer is on the bridge. Frames this process wrote show up on the other interface
as outgoing and are skipped, so nothing loops. Veths leave TCP and UDP checksums to "hardware"
(the stack hands them on unfinished); the forwarder completes them, as a NIC would. Seeded: one run drops the same frames as another
given the same traffic.
"""
import argparse
import array
import collections
import random
import socket
import sys
import threading
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def open_raw(interface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((interface, 0))
    return s


def with_checksum(frame):
    """The frame with its IPv4 TCP or UDP checksum computed (RFC 1071)."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return frame
    ihl = (frame[14] & 0x0F) * 4
    proto = frame[23]
    l4, end = 14 + ihl, 14 + int.from_bytes(frame[16:18], "big")
    field = {6: 16, 17: 6}.get(proto)
    if field is None or end > len(frame) or end - l4 < field + 2 or frame[20:22] not in (b"\x00\x00", b"\x40\x00"):
        return frame   # not TCP/UDP, truncated, or a fragment
    out = bytearray(frame)
    out[l4 + field:l4 + field + 2] = b"\x00\x00"
    data = bytes(out[26:34]) + bytes([0, proto]) + (end - l4).to_bytes(2, "big") + bytes(out[l4:end])
    if len(data) % 2:
        data += b"\x00"
    total = sum(array.array("H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    checksum = ~total & 0xFFFF
    if proto == 17 and checksum == 0:
        checksum = 0xFFFF
    # Summed as native words; the one's complement sum is byte-order independent, so the
    # result goes back in that same order.
    out[l4 + field:l4 + field + 2] = checksum.to_bytes(2, sys.byteorder)
    return bytes(out)


def carry(source, target, loss, delay_s, rng, lock):
    """One direction: read, maybe drop, hold, write; frames keep their order."""
    pending = collections.deque()
    ready = threading.Condition()

    def writer():
        while True:
            with ready:
                while not pending:
                    ready.wait()
                due, frame = pending[0]
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with ready:
                pending.popleft()
            try:
                target.send(frame)
            except OSError:
                pass   # an oversized or refused frame is lost, as on a real wire

    threading.Thread(target=writer, daemon=True).start()
    while True:
        frame, address = source.recvfrom(65536)
        if address[2] == PACKET_OUTGOING:
            continue
        with lock:
            dropped = rng.random() < loss
        if dropped:
            continue
        with ready:
            pending.append((time.monotonic() + delay_s, with_checksum(frame)))
            ready.notify()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host-side", required=True)
    p.add_argument("--bridge-side", required=True)
    p.add_argument("--loss-in", type=float, default=0.0, help="drop probability toward the host")
    p.add_argument("--loss-out", type=float, default=0.0, help="drop probability from the host")
    p.add_argument("--delay-ms", type=float, default=0.0, help="added each way")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    host, bridge = open_raw(a.host_side), open_raw(a.bridge_side)
    rng, lock = random.Random(a.seed), threading.Lock()
    delay = a.delay_ms / 1000
    threading.Thread(target=carry, args=(host, bridge, a.loss_out, delay, rng, lock), daemon=True).start()
    print(f"forwarding {a.host_side} <-> {a.bridge_side}", flush=True)
    carry(bridge, host, a.loss_in, delay, rng, lock)


if __name__ == "__main__":
    sys.exit(main())
