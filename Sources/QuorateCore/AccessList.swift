/// One EIP-2930 access list entry. Quorate has no EVM, so the list has no effect on execution,
/// but it is part of the signed payload and of the intrinsic gas, so it is kept exactly.
public struct AccessListEntry: Equatable, Sendable {
    public let address: Address
    public let storageKeys: [Hash32]

    public init(address: Address, storageKeys: [Hash32] = []) {
        self.address = address
        self.storageKeys = storageKeys
    }

    /// EIP-2930 gas per listed address and per listed storage key.
    public static let addressGas: UInt64 = 2_400
    public static let storageKeyGas: UInt64 = 1_900

    var rlp: RLPItem {
        .list([RLPItem(address), .list(storageKeys.map { RLPItem($0) })])
    }

    init(rlp: RLPItem) throws {
        let pair = try rlp.listValue()
        guard pair.count == 2 else {
            throw RLPError("rlp: access list entry needs 2 elements (address, storage keys), got \(pair.count)")
        }
        self.address = try pair[0].addressValue()
        self.storageKeys = try pair[1].listValue().map { try $0.hash32Value() }
    }
}

extension [AccessListEntry] {
    var accessListGas: UInt64 {
        reduce(0) { $0 + AccessListEntry.addressGas + UInt64($1.storageKeys.count) * AccessListEntry.storageKeyGas }
    }
}
