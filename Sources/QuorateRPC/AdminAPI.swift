import QuorateCore

/// What the admin methods need beyond `RPCBackend`: the node's peers and its run-time peer list.
public protocol RPCAdminBackend: RPCBackend {
    /// This node as others dial it, `0x<node key>@host:port`; nil without a P2P network.
    var nodeAddress: String? { get }
    /// Connected peers (hello exchanged), sorted by node key.
    func adminPeers() -> [AdminPeerView]
    /// Allows and dials `address` (`[0x]<33-byte node key hex>@host:port`) for this run.
    /// Throws `RPCError` (-32602 for an address that does not parse).
    func addPeer(_ address: String) throws -> Bool
    /// Undoes `addPeer` for the key in `address` (same format; host and port are not compared).
    /// False if the key was not added at run time.
    func removePeer(_ address: String) throws -> Bool
}

/// A connected peer as `admin_peers` lists it.
public struct AdminPeerView: Sendable, Equatable {
    /// Compressed secp256k1 node key, 33 bytes.
    public var nodeKey: [UInt8]
    /// "host:port" of the TCP connection's other end.
    public var remoteAddress: String
    /// True when the peer dialed us.
    public var inbound: Bool
    /// The last height it announced.
    public var height: UInt64
    /// The validator of the current set whose node key this is; nil for a non-voting peer.
    public var validator: Address?

    public init(nodeKey: [UInt8], remoteAddress: String, inbound: Bool, height: UInt64, validator: Address?) {
        self.nodeKey = nodeKey
        self.remoteAddress = remoteAddress
        self.inbound = inbound
        self.height = height
        self.validator = validator
    }
}

/// The `admin_` namespace: every method needs the bearer token (`RPCDispatcher` refuses the call
/// with -32001, the HTTP server with 401, before the handler runs).
public enum AdminAPI {
    public static func register(on d: RPCDispatcher, backend: RPCAdminBackend) {
        d.register("admin_nodeInfo", admin: true) { p in
            try p.expectCount(0)
            return [
                "clientVersion": .string(backend.clientVersion),
                "chainId": .quantity(backend.chainId),
                "genesisHash": try backend.block(at: 0).map { RPCFormat.hash($0.hash) } ?? .null,
                "height": .quantity(backend.head().height),
                "nodeAddress": backend.nodeAddress.map(JSON.string) ?? .null,
            ]
        }
        d.register("admin_peers", admin: true) { p in
            try p.expectCount(0)
            return .array(backend.adminPeers().map { peer in
                [
                    "nodeKey": .data(peer.nodeKey),
                    "remoteAddress": .string(peer.remoteAddress),
                    "direction": .string(peer.inbound ? "inbound" : "outbound"),
                    "height": .quantity(peer.height),
                    "validator": peer.validator.map(RPCFormat.address) ?? .null,
                ]
            })
        }
        d.register("admin_addPeer", admin: true) { p in
            try p.expectCount(1)
            return .bool(try backend.addPeer(try p.string(at: 0)))
        }
        d.register("admin_removePeer", admin: true) { p in
            try p.expectCount(1)
            return .bool(try backend.removePeer(try p.string(at: 0)))
        }
    }
}
