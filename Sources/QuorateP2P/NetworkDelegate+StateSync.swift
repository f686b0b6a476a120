/// A delegate that does not serve state sync answers every request with nothing and ignores
/// answers (a node that never asked treats one as unsolicited in its own implementation).
extension NetworkDelegate {
    public func network(_ network: Network, stateRequest items: [[UInt8]], from peer: PeerID) -> [[UInt8]] { [] }
    public func network(_ network: Network, didReceiveStateResponse items: [[UInt8]], from peer: PeerID) {}
}
