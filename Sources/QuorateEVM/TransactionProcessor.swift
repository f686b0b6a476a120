import QuorateCore

/// Applies one transaction with Cancun's rules. Owned by the interpreter work; the signature
/// is fixed so that the state-test runner and the chain can be written against it.
public enum TransactionProcessor {
    public static func apply<H: EVMHost>(_ tx: EVMTransaction, host: H, block: BlockContext,
                                         tracer: EVMTracer? = nil) -> Result<TransactionOutcome, InvalidTransaction> {
        preconditionFailure("TransactionProcessor.apply is being written on the evm-interp branch")
    }
}
