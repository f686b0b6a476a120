import Synchronization

/// Which node keys may hold a P2P session with this node, from three sources that change
/// independently while the node runs:
/// - configured: the keys of `--peer` and `--allow-peer`, fixed for the process's life;
/// - chain: the node keys of the validator sets in force (the head's and the next height's),
///   replaced as a whole after each commit by `Node.refreshAllowlist()`;
/// - run-time: keys added with `admin_addPeer`, kept in memory only (gone after a restart,
///   as geth's `admin_addPeer`).
///
/// A key is allowed while any source holds it. Keys are compressed secp256k1 public keys
/// (33 bytes). Thread-safe: network threads ask `contains` while RPC and commit threads change it.
final class PeerAllowlist: Sendable {
    /// Run-time keys held at once. Each one also gets a dialer thread, so the bound keeps a
    /// script calling `admin_addPeer` in a loop from exhausting threads; 64 is far above the
    /// non-voting nodes a consortium member attaches by hand. Changing the allowlist for good
    /// is `--allow-peer` or an on-chain change, not this.
    static let maxRuntimeKeys = 64

    private struct State {
        var configured: Set<[UInt8]>
        var chain: Set<[UInt8]> = []
        var runtime: Set<[UInt8]> = []
    }

    private let state: Mutex<State>

    init(configured: Set<[UInt8]>) {
        state = Mutex(State(configured: configured))
    }

    func contains(_ key: [UInt8]) -> Bool {
        state.withLock { $0.configured.contains(key) || $0.chain.contains(key) || $0.runtime.contains(key) }
    }

    /// Replaces the chain keys. Returns whether they changed, so the caller rechecks open
    /// sessions only when a validator set change removed or added someone.
    @discardableResult
    func setChainKeys(_ keys: Set<[UInt8]>) -> Bool {
        state.withLock { s in
            guard s.chain != keys else { return false }
            s.chain = keys
            return true
        }
    }

    enum RuntimeAddition: Equatable {
        case added
        case alreadyPresent
        /// `maxRuntimeKeys` run-time keys are held already.
        case full
    }

    func addRuntime(_ key: [UInt8]) -> RuntimeAddition {
        state.withLock { s in
            if s.runtime.contains(key) { return .alreadyPresent }
            guard s.runtime.count < Self.maxRuntimeKeys else { return .full }
            s.runtime.insert(key)
            return .added
        }
    }

    /// Removes a run-time key; false if it was not one. Other sources are untouched: a key
    /// also configured or on chain stays allowed.
    @discardableResult
    func removeRuntime(_ key: [UInt8]) -> Bool {
        state.withLock { $0.runtime.remove(key) != nil }
    }

    var runtimeKeys: Set<[UInt8]> { state.withLock { $0.runtime } }
    var chainKeys: Set<[UInt8]> { state.withLock { $0.chain } }
}
