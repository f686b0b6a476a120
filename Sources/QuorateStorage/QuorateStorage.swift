// The QuorateStorage module; see docs/architecture.md.
