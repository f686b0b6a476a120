/// Cancun's gas schedule (names follow ethereum/execution-specs `vm/gas.py`).
@usableFromInline enum Gas {
    @usableFromInline static let warmAccess: UInt64 = 100
    @usableFromInline static let coldAccountAccess: UInt64 = 2600
    @usableFromInline static let coldSload: UInt64 = 2100
    @usableFromInline static let storageSet: UInt64 = 20000
    @usableFromInline static let storageUpdate: UInt64 = 5000
    @usableFromInline static let storageClearRefund: Int64 = 4800
    @usableFromInline static let callStipend: UInt64 = 2300
    @usableFromInline static let callValue: UInt64 = 9000
    @usableFromInline static let newAccount: UInt64 = 25000
    @usableFromInline static let selfDestructNewAccount: UInt64 = 25000
    @usableFromInline static let codeDeposit: UInt64 = 200
    @usableFromInline static let keccakWord: UInt64 = 6
    @usableFromInline static let copyWord: UInt64 = 3
    @usableFromInline static let logData: UInt64 = 8
    @usableFromInline static let logTopic: UInt64 = 375
    @usableFromInline static let expByte: UInt64 = 50
    @usableFromInline static let initCodeWord: UInt64 = 2

    @usableFromInline static let maxCodeSize = 24576
    @usableFromInline static let maxInitCodeSize = 2 * maxCodeSize
    @usableFromInline static let stackLimit = 1024
    @usableFromInline static let callDepthLimit = 1024

    @usableFromInline static let txBase: UInt64 = 21000
    @usableFromInline static let txCreate: UInt64 = 32000
    @usableFromInline static let txDataZero: UInt64 = 4
    @usableFromInline static let txDataNonZero: UInt64 = 16
    @usableFromInline static let txAccessListAddress: UInt64 = 2400
    @usableFromInline static let txAccessListStorageKey: UInt64 = 1900

    /// Memory beyond this many bytes is never affordable (its quadratic cost exceeds 2^64 gas
    /// long before), so larger requests end the frame out of gas without any arithmetic that
    /// could overflow. Geth uses the same bound.
    @usableFromInline static let maxMemoryBytes: UInt64 = 0x1F_FFFF_FFE0

    /// Cost of `words` 32-byte words of memory: 3 per word plus words^2 / 512.
    @inlinable @inline(__always) static func memoryCost(words: UInt64) -> UInt64 {
        3 &* words &+ (words &* words) / 512
    }

    /// All but one 64th (EIP-150).
    @inlinable @inline(__always) static func allButOne64th(_ gas: UInt64) -> UInt64 { gas - gas / 64 }

    @inlinable @inline(__always) static func words(_ bytes: UInt64) -> UInt64 { (bytes &+ 31) / 32 }
}

/// Static facts about one opcode, checked before it runs.
@usableFromInline struct OpInfo {
    @usableFromInline var gas: UInt64
    @usableFromInline var pops: Int
    /// Pushes minus pops; the stack may grow by this much.
    @usableFromInline var growth: Int
    @usableFromInline var defined: Bool

    @inlinable init(gas: UInt64, pops: Int, growth: Int, defined: Bool) {
        self.gas = gas
        self.pops = pops
        self.growth = growth
        self.defined = defined
    }
}

@usableFromInline enum OpTable {
    /// Indexed by opcode; a process-wide immutable table (never freed).
    @usableFromInline nonisolated(unsafe) static let pointer: UnsafeMutablePointer<OpInfo> = {
        let p = UnsafeMutablePointer<OpInfo>.allocate(capacity: 256)
        p.initialize(repeating: OpInfo(gas: 0, pops: 0, growth: 0, defined: false), count: 256)
        func set(_ op: Int, _ gas: UInt64, _ pops: Int, _ pushes: Int) {
            p[op] = OpInfo(gas: gas, pops: pops, growth: pushes - pops, defined: true)
        }
        set(0x00, 0, 0, 0)
        for (op, gas) in [(0x01, 3), (0x02, 5), (0x03, 3), (0x04, 5), (0x05, 5), (0x06, 5), (0x07, 5),
                          (0x0a, 10), (0x0b, 5)] { set(op, UInt64(gas), 2, 1) }
        set(0x08, 8, 3, 1); set(0x09, 8, 3, 1)
        for op in [0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1b, 0x1c, 0x1d] { set(op, 3, 2, 1) }
        set(0x15, 3, 1, 1); set(0x19, 3, 1, 1)
        set(0x20, 30, 2, 1)
        for op in [0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3a, 0x3d] { set(op, 2, 0, 1) }
        set(0x31, 0, 1, 1); set(0x35, 3, 1, 1); set(0x37, 3, 3, 0); set(0x39, 3, 3, 0)
        set(0x3b, 0, 1, 1); set(0x3c, 0, 4, 0); set(0x3e, 3, 3, 0); set(0x3f, 0, 1, 1)
        set(0x40, 20, 1, 1)
        for op in [0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x48, 0x4a] { set(op, 2, 0, 1) }
        set(0x47, 5, 0, 1); set(0x49, 3, 1, 1)
        set(0x50, 2, 1, 0); set(0x51, 3, 1, 1); set(0x52, 3, 2, 0); set(0x53, 3, 2, 0)
        set(0x54, 0, 1, 1); set(0x55, 0, 2, 0); set(0x56, 8, 1, 0); set(0x57, 10, 2, 0)
        set(0x58, 2, 0, 1); set(0x59, 2, 0, 1); set(0x5a, 2, 0, 1); set(0x5b, 1, 0, 0)
        set(0x5c, 100, 1, 1); set(0x5d, 100, 2, 0); set(0x5e, 3, 3, 0); set(0x5f, 2, 0, 1)
        for op in 0x60...0x7f { set(op, 3, 0, 1) }
        for n in 1...16 { set(0x7f + n, 3, n, n + 1); set(0x8f + n, 3, n + 1, n + 1) }
        for n in 0...4 { set(0xa0 + n, 375 + 375 * UInt64(n), n + 2, 0) }
        set(0xf0, 32000, 3, 1); set(0xf1, 0, 7, 1); set(0xf2, 0, 7, 1); set(0xf3, 0, 2, 0)
        set(0xf4, 0, 6, 1); set(0xf5, 32000, 4, 1); set(0xfa, 0, 6, 1); set(0xfd, 0, 2, 0)
        set(0xff, 5000, 1, 0)
        return p
    }()
}
