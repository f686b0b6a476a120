// The QuorateP2P module: Noise (BOLT 8) transport, framing, peers.
