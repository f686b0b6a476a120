// The QuorateRPC module; see docs/architecture.md.
