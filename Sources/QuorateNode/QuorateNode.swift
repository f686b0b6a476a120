// The QuorateNode module; see docs/architecture.md.
