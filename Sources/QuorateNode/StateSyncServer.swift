import QuorateCore
import QuorateStorage

/// Answers peers' state-sync requests from the store; an answer it cannot give is empty (the
/// asker tries another peer).
struct StateSyncServer {
    let store: ChainStore

    func answer(_ items: [[UInt8]]) -> [[UInt8]] {
        guard let first = items.first, let kindByte = first.first,
              let kind = StateSyncProtocol.Kind(rawValue: kindByte) else { return [] }
        do {
            switch kind {
            case .offer: return try offer()
            case .nodes:
                let hashes = items.dropFirst().prefix(StateSyncProtocol.maxNodesPerRequest)
                guard hashes.allSatisfy({ $0.count == 32 }) else { return [] }
                return [[kind.rawValue]] + (try hashes.map { try store.stateNode(Hash32($0)) ?? [] })
            case .code:
                let hashes = items.dropFirst().prefix(StateSyncProtocol.maxCodesPerRequest)
                guard hashes.allSatisfy({ $0.count == 32 }) else { return [] }
                return [[kind.rawValue]] + (try hashes.map { try store.contractCode(Hash32($0)) ?? [] })
            case .headers:
                guard first.count == 9 else { return [] }
                let height = first.dropFirst().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                return try headers(below: height)
            case .addresses:
                guard first.count == 21 else { return [] }
                let start = Address(Array(first.dropFirst()))
                return [[kind.rawValue]] + (try store.accountAddresses(from: start, limit: StateSyncProtocol.maxAddressesPerAnswer).map(\.bytes))
            }
        } catch {
            return []
        }
    }

    /// The headers below `height` that BLOCKHASH reaches, parent first; none when one is not
    /// kept here (the asker tries another peer).
    private func headers(below height: UInt64) throws -> [[UInt8]] {
        guard height <= store.head.height else { return [] }
        let count = StateSyncProtocol.headerCount(below: height)
        var answer: [[UInt8]] = [[StateSyncProtocol.Kind.headers.rawValue]]
        for below in 0..<UInt64(count) {
            guard let header = try store.header(at: height - 1 - below) else { return [] }
            answer.append(header.encoded())
        }
        return answer
    }

    /// The head with its certificate and every validator-set change with the block enacting it.
    private func offer() throws -> [[UInt8]] {
        let head = store.head.height
        guard head >= 1, let block = try store.block(at: head), let certificate = try store.certificate(at: head) else { return [] }
        var changes: [(from: UInt64, set: ValidatorSet, block: Block, certificate: CommitCertificate)] = []
        for change in store.validatorSetChanges where change.from <= head + 1 {
            guard let enacting = try store.block(at: change.from - 1), let cert = try store.certificate(at: change.from - 1) else {
                return []  // pruned: this node cannot prove its validator history
            }
            changes.append((change.from, change.set, enacting, cert))
        }
        return StateSyncProtocol.offerAnswer(block: block, certificate: certificate, changes: changes)
    }
}
