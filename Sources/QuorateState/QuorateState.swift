// The QuorateState module; see docs/architecture.md.
