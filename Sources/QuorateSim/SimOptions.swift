import QuorateCore

/// What one simulated run may inject. Everything not fixed here is drawn from the seed.
public struct SimOptions: Sendable {
    public var validators: Int
    public var seed: UInt64
    /// The faulty period lasts a random time up to this; then the network heals.
    public var chaosMsMax: UInt64 = 3_000
    /// After the heal, every honest validator must commit this many heights above the highest
    /// height any honest validator had at the heal.
    public var heightsAfterHeal: UInt64 = 2
    /// Byzantine validators (at most f) drawn from the seed; off gives a crash-only run.
    public var byzantine = true
    /// Message loss during the faulty period is drawn up to this (per mille).
    public var lossPermilleMax: UInt64 = 300
    public var duplicatePermilleMax: UInt64 = 100
    /// Chance that a node crashes right after a hard-state write, before sending (per mille),
    /// during the faulty period.
    public var crashAtPersistPermille: UInt64 = 10
    /// Chance that a node crashes just before a hard-state write, which is lost (per mille),
    /// during the faulty period. Off in the consensus simulator, whose disk has no unsynced writes.
    public var crashBeforeWritePermille: UInt64 = 0
    /// During the faulty period a synced write takes up to this long to complete (a slow disk); 0
    /// in the consensus simulator.
    public var slowDiskMsMax: UInt64 = 0
    /// Chance (per mille) that a peer answering block sync goes silent after some of the blocks.
    public var silentSyncPermille: UInt64 = 0
    /// Byzantine validators propose, to everyone, blocks whose header state root is not what they
    /// execute to (instead of equivocating): honest whole nodes must refuse them.
    public var byzantineBadStateRoot = false
    /// Byzantine validators answer block sync with a block the certificate they send does not certify.
    public var byzantineForgeSync = false
    /// A partition lasts a random time up to this (and ends with the faulty period at the latest).
    public var partitionMsMax: UInt64 = 1_500
    public var delayMsMax: UInt64 = 40
    public var healedDelayMsMax: UInt64 = 20
    public var rebroadcastIntervalMs: UInt64 = 200
    public var params: ConsensusParams = SimOptions.defaultParams
    @_spi(Testing) public var faults = SimFaults()
    /// Crash this node right after its k-th hard-state write (counting from 1), before it sends
    /// anything of that Ready, and restart it `restartAfterMs` later: the persistence points.
    @_spi(Testing) public var crashAfterWrite: (node: Int, write: Int, restartAfterMs: UInt64)?

    public init(validators: Int, seed: UInt64) {
        precondition(validators >= 1, "at least one validator")
        self.validators = validators
        self.seed = seed
    }

    public static var defaultParams: ConsensusParams {
        var p = ConsensusParams()
        p.timeoutProposeMs = 300
        p.timeoutPrevoteMs = 150
        p.timeoutPrecommitMs = 150
        p.timeoutDeltaMs = 100
        p.timeoutMaxMs = 1_000
        return p
    }

    /// f for n = 3f + 1 (and the largest f that n tolerates otherwise).
    public var maxFaulty: Int { (validators - 1) / 3 }

    /// How long after the heal every honest validator must have committed its next height.
    ///
    /// - Catching up: messages sent before the heal arrive within `delayMsMax`; within a
    ///   rebroadcast interval every validator re-sends its latest votes; a validator behind in
    ///   height is noticed and synced within two more intervals; one behind in round skips or is
    ///   sent the precommits that justify the round within one more.
    /// - Then a round costs at most the three capped timeouts, plus two rebroadcast intervals for
    ///   a vote lost before the heal to be re-sent, plus four message delays. Timeouts are capped,
    ///   so this does not grow with how long the network was broken.
    /// - A round with an honest proposer whose valid round is at least every honest lock decides:
    ///   every honest validator prevotes its block (the proof of lock travels with it). The honest
    ///   validator holding the highest lock has such a valid round, and proposer rotation reaches
    ///   it within n rounds; a polka formed after the heal is seen by every honest validator, which
    ///   only moves this point earlier. Hence n + 1 rounds.
    public var livenessBoundMs: UInt64 {
        let catchUp = delayMsMax + 4 * rebroadcastIntervalMs + 4 * healedDelayMsMax
        let roundMs = params.timeoutMaxMs * 3 + 2 * rebroadcastIntervalMs + 4 * healedDelayMsMax
        return catchUp + UInt64(validators + 1) * roundMs
    }
}

/// Planted bugs, so that a test can show each is caught.
@_spi(Testing) public struct SimFaults: Equatable, Sendable {
    /// Honest validators prevote ignoring their lock (the machine's planted fault).
    public var ignoreLock = false
    /// Honest nodes send a Ready's messages before writing its hard state; a crash can fall in between.
    public var sendBeforePersist = false
    /// f+1 validators run as twins: more Byzantine validators than the protocol tolerates.
    public var twinsBeyondF = false
    public init() {}
}
