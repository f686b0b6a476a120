import QuorateCore

/// Why a frame ended exceptionally (all of its gas is consumed).
enum Halt: String {
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

enum FrameEnd {
    case success
    case revert
    case halt(Halt)
}

/// What one opcode handler tells the loop.
enum Step {
    case next
    case halt(Halt)
    /// The handler already switched frames or ended the frame.
    case switched
}

/// One call or creation frame. Parents wait in `Interpreter.parents` while a child runs, so
/// EVM call depth uses no native stack.
struct Frame {
    var code: AnalyzedCode
    var codeBytes: UnsafeMutablePointer<UInt8>
    var pc: Int = 0
    var gas: UInt64
    var stack: UnsafeMutablePointer<UInt256>
    var sp: Int = 0
    var memory: EVMMemory
    /// Whose storage and balance the code acts on.
    var address: Address
    var caller: Address
    var value: UInt256
    var input: [UInt8]
    var isStatic: Bool
    /// 1 for the transaction's frame.
    var depth: Int
    var isCreate: Bool
    /// Where a CALL's output goes in the parent's memory.
    var returnOffset: Int = 0
    var returnSize: Int = 0
    /// The journal length when the frame began.
    var checkpoint: Int
    /// Output of the last call this frame made (RETURNDATASIZE/RETURNDATACOPY).
    var returnData: [UInt8] = []
}

/// The top frame's result.
struct TopOutcome {
    var end: FrameEnd
    var gasLeft: UInt64
    var output: [UInt8]
}
