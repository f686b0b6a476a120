// The QuorateSim module: the deterministic simulator.
