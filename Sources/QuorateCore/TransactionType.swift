/// EIP-2718 transaction types Quorate accepts. The raw value is the type byte of the envelope
/// (legacy transactions have none; 0 is used only where a number is needed, as in receipts).
public enum TransactionType: UInt8, Sendable, CaseIterable {
    case legacy = 0
    /// EIP-2930: access lists.
    case accessList = 1
    /// EIP-1559: priority fee and fee cap.
    case dynamicFee = 2
}
