import QuorateCore
import QuorateCrypto

/// How one node runs consensus: which chain, with which timing, as which validator.
public struct ConsensusConfig: Sendable {
    public var chainId: UInt64
    public var params: ConsensusParams
    public var limits: ConsensusLimits
    /// The validator's consensus key; nil for a non-voting node, which follows and commits
    /// blocks without signing anything.
    public var signingKey: Secp256k1.PrivateKey?
    /// Checks signatures of votes and proposals. The simulator shares a cache between its
    /// validators; a node uses the default.
    public var verifier: any ConsensusSignatureVerifier
    /// How often a validator re-sends its own latest proposal and votes.
    public var rebroadcastIntervalMs: UInt64
    /// Planted faults, for the simulator's proof that its checkers catch a broken protocol.
    @_spi(Testing) public var faults = ConsensusFaults()

    public init(chainId: UInt64, params: ConsensusParams, signingKey: Secp256k1.PrivateKey?,
                limits: ConsensusLimits = ConsensusLimits(),
                verifier: any ConsensusSignatureVerifier = Secp256k1SignatureVerifier(),
                rebroadcastIntervalMs: UInt64? = nil) {
        self.chainId = chainId
        self.params = params
        self.limits = limits
        self.signingKey = signingKey
        self.verifier = verifier
        self.rebroadcastIntervalMs = rebroadcastIntervalMs ?? max(params.timeoutPrevoteMs, 100)
    }

    /// The address of `signingKey`, computed once.
    var signerAddress: Address? { signingKey.map { Address($0.publicKey.ethereumAddress) } }
}

/// Bounds on what peers can make the machine hold. Every map keyed by a height or round a
/// peer chose is kept within these.
public struct ConsensusLimits: Equatable, Sendable {
    /// Messages for the next height are buffered (a validator that commits first proposes at
    /// once); further heights are refused, and the sender's block sync catches this node up.
    public var heightsAheadBuffered: UInt64 = 1
    /// Per validator, how many messages for the next height are buffered.
    public var bufferedMessagesPerValidator: Int = 4
    /// Signers outside the current set whose next-height messages are buffered (a validator
    /// the next height adds); each also within `bufferedMessagesPerValidator`. Default 4.
    public var outsideSignersBuffered: Int = 4
    /// Rounds above the current one whose votes and proposals are stored. Votes further ahead
    /// still count toward a round skip (one highest vote per validator) but are not stored.
    public var roundsAheadStored: UInt32 = 4
    /// Rounds of the current height with stored votes and proposals; the oldest are dropped
    /// first. A dropped round can only cost liveness: prevoting nil is always safe.
    public var roundsKept: Int = 16
    /// Double-sign evidence kept per height.
    public var evidenceKept: Int = 64

    public init() {}
}

public protocol ConsensusSignatureVerifier: Sendable {
    func isValid(_ vote: Vote, chainId: UInt64) -> Bool
    func isValid(_ proposal: Proposal, chainId: UInt64) -> Bool
}

/// Recovers the signer with libsecp256k1 and compares it with the claimed sender.
public struct Secp256k1SignatureVerifier: ConsensusSignatureVerifier {
    public init() {}
    public func isValid(_ vote: Vote, chainId: UInt64) -> Bool { vote.hasValidSignature(chainId: chainId) }
    public func isValid(_ proposal: Proposal, chainId: UInt64) -> Bool { proposal.hasValidSignature(chainId: chainId) }
}

/// Deliberate protocol bugs, off by default. They exist so that a test can show the simulator
/// catches each one; a node never turns them on.
@_spi(Testing) public struct ConsensusFaults: Equatable, Sendable {
    /// Prevote for any valid proposal, ignoring lockedValue/lockedRound (lines 23 and 29).
    public var ignoreLock = false
    public init() {}
}
