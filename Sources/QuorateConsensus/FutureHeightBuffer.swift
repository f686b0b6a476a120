import QuorateCore

/// Messages for the next height, kept until the node starts it: the first validator to commit
/// proposes at once, and dropping its proposal would cost every other validator a round.
/// Only signed, checked messages get in, a few per signer: of current validators, and of at most
/// `ConsensusLimits.outsideSignersBuffered` others (validators the next height may add).
struct FutureHeightBuffer: Sendable {
    private(set) var messages: [ConsensusMessage] = []
    private var countBySigner: [Address: Int] = [:]

    func contains(_ message: ConsensusMessage) -> Bool { messages.contains(message) }

    /// Who has messages here; only counted, so the order does not matter.
    var signers: Dictionary<Address, Int>.Keys { countBySigner.keys }

    func isFull(for signer: Address, limit: Int) -> Bool { countBySigner[signer, default: 0] >= limit }

    mutating func add(_ message: ConsensusMessage) {
        messages.append(message)
        countBySigner[message.signer, default: 0] += 1
    }

    /// Empties the buffer, returning the messages for `height` in arrival order.
    mutating func drain(height: UInt64) -> [ConsensusMessage] {
        defer { self = FutureHeightBuffer() }
        return messages.filter { $0.height == height }
    }
}
