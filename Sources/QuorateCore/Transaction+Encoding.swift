extension Transaction {
    /// Legacy: RLP([fields..., v, r, s]). Typed: type byte || RLP([fields..., yParity, r, s]).
    static func encode(unsigned: UnsignedTransaction, v: UInt256, r: UInt256, s: UInt256) -> [UInt8] {
        let list = RLP.encodeList(unsigned.payloadFields + [RLPItem(v), RLPItem(r), RLPItem(s)])
        if unsigned.type == .legacy { return list }
        var out = [UInt8]()
        out.reserveCapacity(list.count + 1)
        out.append(unsigned.type.rawValue)
        out.append(contentsOf: list)
        return out
    }
}
