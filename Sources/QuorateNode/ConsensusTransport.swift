import QuorateConsensus
import QuorateCore

/// Where the consensus driver sends proposals and votes. The P2P layer implements it; a chain of
/// one validator has nobody to send to.
public protocol ConsensusTransport: AnyObject, Sendable {
    func broadcast(_ message: ConsensusMessage)
    func send(_ message: ConsensusMessage, to validator: Address)
}

/// No peers: a single-validator chain, or a node before the network is wired in.
public final class NoPeers: ConsensusTransport {
    public init() {}
    public func broadcast(_ message: ConsensusMessage) {}
    public func send(_ message: ConsensusMessage, to validator: Address) {}
}
