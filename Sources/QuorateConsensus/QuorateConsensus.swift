// The QuorateConsensus module: the sans-I/O Tendermint state machine.
