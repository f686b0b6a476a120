import QuorateCore

/// Why a frame ended exceptionally (all of its gas is consumed).
@usableFromInline enum Halt: String {
    case outOfGas = "out of gas"
    case invalidOpcode = "invalid opcode"
    case stackUnderflow = "stack underflow"
    case stackOverflow = "stack overflow"
    case badJump = "invalid jump destination"
    case staticWrite = "write protection"
    case returnDataOutOfBounds = "return data out of bounds"
    case invalidCodePrefix = "invalid code: must not begin with 0xef"
    case codeTooLarge = "max code size exceeded"
    case collision = "contract address collision"
    case precompileFailed = "precompile failed"
}

@usableFromInline enum FrameEnd {
    case success
    case revert
    case halt(Halt)
}

/// What one opcode handler tells the loop.
@usableFromInline enum Step {
    case next
    case halt(Halt)
    /// The handler already switched frames or ended the frame.
    case switched
}

/// One call or creation frame. Parents wait in `Interpreter.parents` while a child runs, so
/// EVM call depth uses no native stack.
@usableFromInline struct Frame {
    @usableFromInline var code: AnalyzedCode
    @usableFromInline var codeBytes: UnsafeMutablePointer<UInt8>
    @usableFromInline var pc: Int = 0
    @usableFromInline var gas: UInt64
    @usableFromInline var stack: UnsafeMutablePointer<UInt256>
    @usableFromInline var sp: Int = 0
    @usableFromInline var memory: EVMMemory
    /// Whose storage and balance the code acts on.
    @usableFromInline var address: Address
    @usableFromInline var caller: Address
    @usableFromInline var value: UInt256
    @usableFromInline var input: [UInt8]
    @usableFromInline var isStatic: Bool
    /// 1 for the transaction's frame.
    @usableFromInline var depth: Int
    @usableFromInline var isCreate: Bool
    /// Where a CALL's output goes in the parent's memory.
    @usableFromInline var returnOffset: Int = 0
    @usableFromInline var returnSize: Int = 0
    /// The journal length when the frame began.
    @usableFromInline var checkpoint: Int
    /// Output of the last call this frame made (RETURNDATASIZE/RETURNDATACOPY).
    @usableFromInline var returnData: [UInt8] = []

    @inlinable
    init(code: AnalyzedCode, codeBytes: UnsafeMutablePointer<UInt8>, gas: UInt64, stack: UnsafeMutablePointer<UInt256>,
         memory: EVMMemory, address: Address, caller: Address, value: UInt256, input: [UInt8], isStatic: Bool,
         depth: Int, isCreate: Bool, checkpoint: Int) {
        self.code = code
        self.codeBytes = codeBytes
        self.gas = gas
        self.stack = stack
        self.memory = memory
        self.address = address
        self.caller = caller
        self.value = value
        self.input = input
        self.isStatic = isStatic
        self.depth = depth
        self.isCreate = isCreate
        self.checkpoint = checkpoint
    }
}

/// The top frame's result.
@usableFromInline struct TopOutcome {
    @usableFromInline var end: FrameEnd
    @usableFromInline var gasLeft: UInt64
    @usableFromInline var output: [UInt8]

    @inlinable init(end: FrameEnd, gasLeft: UInt64, output: [UInt8]) {
        self.end = end
        self.gasLeft = gasLeft
        self.output = output
    }
}
