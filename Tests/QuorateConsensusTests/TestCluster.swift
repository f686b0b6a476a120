@_spi(Testing) @testable import QuorateConsensus
import QuorateCore
import QuorateCrypto

/// Keys, blocks and signed messages for a test chain of `n` validators with equal power.
/// `keys[i]` signs for `validators.validators[i]` (the set is sorted by address).
struct TestChain {
    static let chainId: UInt64 = 7
    let keys: [Secp256k1.PrivateKey]
    let validators: ValidatorSet
    var params = ConsensusParams()

    init(n: Int, seed: UInt8 = 0) {
        let unsorted = (0..<n).map { i in
            try! Secp256k1.PrivateKey(bytes: Keccak256.hash([seed, UInt8(i), 0x51]))
        }
        keys = unsorted.sorted { $0.publicKey.ethereumAddress.lexicographicallyPrecedes($1.publicKey.ethereumAddress) }
        validators = try! ValidatorSet(keys.map { Validator(address: Address($0.publicKey.ethereumAddress), nodeKey: []) })
    }

    func address(_ i: Int) -> Address { validators.validators[i].address }

    func index(of address: Address) -> Int { validators.index(of: address)! }

    /// Index of the proposer of (height, round).
    func proposer(height: UInt64, round: UInt32) -> Int { index(of: validators.proposer(height: height, round: round)) }

    func config(_ i: Int?, chainId: UInt64 = TestChain.chainId) -> ConsensusConfig {
        ConsensusConfig(chainId: chainId, params: params, signingKey: i.map { keys[$0] })
    }

    /// A synthetic block; `tag` tells blocks of one height apart.
    func block(height: UInt64, tag: UInt8, chainId: UInt64 = TestChain.chainId) -> Block {
        let header = BlockHeader(
            chainId: chainId, height: height, timestampMs: 1_000 * height, parentHash: .zero, proposer: address(0),
            transactionsRoot: Block.transactionsRoot([]), receiptsRoot: .zero, stateRoot: Hash32.keccak([tag]),
            validatorsHash: validators.hash, nextValidatorsHash: validators.hash, lastCommitHash: .zero,
            gasLimit: 1_000_000, gasUsed: 0, baseFeePerGas: .zero)
        return Block(header: header, transactions: [], lastCommit: nil)
    }

    func vote(_ i: Int, _ type: VoteType, height: UInt64 = 1, round: UInt32, _ hash: Hash32?,
              chainId: UInt64 = TestChain.chainId) -> Vote {
        try! Vote.sign(chainId: chainId, type: type, height: height, round: round, blockHash: hash, key: keys[i])
    }

    func proposal(_ i: Int, height: UInt64 = 1, round: UInt32, validRound: UInt32? = nil, _ block: Block) -> Proposal {
        try! Proposal.sign(chainId: TestChain.chainId, height: height, round: round, validRound: validRound,
                           block: block, key: keys[i])
    }
}

/// n machines whose messages a test routes by hand: nothing is delivered unless the test says so.
struct TestCluster {
    let chain: TestChain
    var machines: [ConsensusMachine]
    /// Everything each machine sent, in order.
    var sent: [[OutboundMessage]]
    var timeouts: [[TimeoutRequest]]
    var requests: [[ConsensusRequest]]
    var commits: [[CommittedBlock]]
    var lastReady: [Ready]
    /// Answer every validateBlock request with "valid" at once.
    var autoValidate = true

    init(_ chain: TestChain, faults: ConsensusFaults = ConsensusFaults()) {
        self.chain = chain
        let n = chain.validators.count
        machines = (0..<n).map { i in
            var config = chain.config(i)
            config.faults = faults
            return ConsensusMachine(config: config)
        }
        sent = Array(repeating: [], count: n)
        timeouts = Array(repeating: [], count: n)
        requests = Array(repeating: [], count: n)
        commits = Array(repeating: [], count: n)
        lastReady = Array(repeating: Ready(), count: n)
    }

    var n: Int { machines.count }

    @discardableResult
    mutating func apply(_ i: Int, _ input: ConsensusInput) -> Ready {
        let ready = machines[i].handle(input)
        lastReady[i] = ready
        sent[i] += ready.messages
        timeouts[i] += ready.timeouts
        requests[i] += ready.requests
        if let c = ready.committed { commits[i].append(c) }
        if autoValidate {
            for case .validateBlock(let block) in ready.requests {
                apply(i, .blockValidated(block.hash, valid: true))
            }
        }
        return ready
    }

    mutating func startAll(height: UInt64 = 1) {
        for i in 0..<n { apply(i, .startHeight(height, validators: chain.validators, restoring: nil)) }
    }

    /// Delivers every message `from` has sent that matches `filter` to each machine in `to`.
    mutating func deliver(from: Int, to: [Int], where filter: (ConsensusMessage) -> Bool = { _ in true }) {
        let messages = sent[from].compactMap { out -> ConsensusMessage? in
            guard case .broadcast(let m) = out, filter(m) else { return nil }
            return m
        }
        for target in to where target != from {
            for m in messages { apply(target, .message(m)) }
        }
    }

    /// Delivers everything everyone sent matching `filter` to everyone in `to`.
    mutating func deliverAll(to: [Int]? = nil, where filter: (ConsensusMessage) -> Bool = { _ in true }) {
        for from in 0..<n { deliver(from: from, to: to ?? Array(0..<n), where: filter) }
    }

    /// Fires machine i's most recent timeout of `kind` as if its time had come.
    @discardableResult
    mutating func fire(_ i: Int, _ kind: TimeoutKind) -> Ready {
        guard let t = timeouts[i].last(where: { $0.kind == kind }) else {
            preconditionFailure("machine \(i) scheduled no \(kind) timeout")
        }
        return apply(i, .timeout(t))
    }

    /// The vote machine i signed of this type at (height, round), if any.
    func vote(of i: Int, _ type: VoteType, height: UInt64 = 1, round: UInt32) -> Vote? {
        for case .broadcast(.vote(let v)) in sent[i] where v.type == type && v.height == height && v.round == round {
            return v
        }
        return nil
    }

    func proposal(of i: Int, height: UInt64 = 1, round: UInt32) -> Proposal? {
        for case .broadcast(.proposal(let p)) in sent[i] where p.height == height && p.round == round { return p }
        return nil
    }

    /// Answers machine i's open build request with `block`.
    mutating func answerBuild(_ i: Int, _ block: Block) {
        guard case .buildBlock(let h, let r)? = requests[i].last(where: {
            if case .buildBlock = $0 { return true } else { return false }
        }) else { preconditionFailure("machine \(i) asked for no block") }
        apply(i, .blockBuilt(block, height: h, round: r))
    }

    static func isVote(_ type: VoteType, round: UInt32) -> (ConsensusMessage) -> Bool {
        { if case .vote(let v) = $0 { v.type == type && v.round == round } else { false } }
    }

    static func isProposal(round: UInt32) -> (ConsensusMessage) -> Bool {
        { if case .proposal(let p) = $0 { p.round == round } else { false } }
    }
}
