import QuorateCore

@usableFromInline struct SlotKey: Hashable {
    @usableFromInline var address: Address
    @usableFromInline var key: UInt256

    @inlinable init(address: Address, key: UInt256) {
        self.address = address
        self.key = key
    }
}

/// One undoable change; a failed frame pops entries back to its checkpoint and undoes them in
/// reverse order, writing old values back through the host.
@usableFromInline enum JournalEntry {
    case balance(Address, UInt256)
    case nonce(Address, UInt64)
    case storage(Address, UInt256, UInt256)
    case code(Address, [UInt8])
    /// The account did not exist before: undo deletes it.
    case accountCreated(Address)
    case warmAccount(Address)
    case warmSlot(SlotKey)
    case transient(SlotKey, UInt256)
    case log
    case refund(Int64)
    case touched(Address)
    case selfDestructed(Address)
    case createdInTransaction(Address)
}

/// Transaction-scoped state (EIP-2929 warm sets, EIP-2200 original values, EIP-1153 transient
/// storage, logs, refunds, EIP-161 touched accounts, EIP-6780 creations and selfdestructs).
@usableFromInline struct Substate {
    @usableFromInline var journal: [JournalEntry] = []
    @usableFromInline var warmAccounts: Set<Address> = []
    @usableFromInline var warmSlots: Set<SlotKey> = []
    /// A slot's value when the transaction first wrote it (never journaled: it stays true).
    @usableFromInline var originals: [SlotKey: UInt256] = [:]
    @usableFromInline var transient: [SlotKey: UInt256] = [:]
    @usableFromInline var logs: [EVMLog] = []
    @usableFromInline var refund: Int64 = 0
    @usableFromInline var touched: Set<Address> = []
    @usableFromInline var selfDestructs: Set<Address> = []
    @usableFromInline var createdInTransaction: Set<Address> = []

    @inlinable init() {}
}

/// The RIPEMD-160 precompile stays touched even when the call that touched it fails: mainnet
/// block 2675119 deleted it that way and every client reproduces it.
@usableFromInline let ripemdAddress = Address([UInt8](repeating: 0, count: 19) + [3])

extension Interpreter {
    @inlinable @inline(__always) var checkpoint: Int { sub.journal.count }

    @inlinable mutating func revert(to checkpoint: Int) {
        while sub.journal.count > checkpoint {
            switch sub.journal.removeLast() {
            case .balance(let a, let v): host.setBalance(a, v)
            case .nonce(let a, let n): host.setNonce(a, n)
            case .storage(let a, let k, let v): host.setStorage(of: a, key: k, value: v)
            case .code(let a, let c): host.setCode(a, c)
            case .accountCreated(let a): host.deleteAccount(a)
            case .warmAccount(let a): sub.warmAccounts.remove(a)
            case .warmSlot(let s): sub.warmSlots.remove(s)
            case .transient(let s, let v): sub.transient[s] = v.isZero ? nil : v
            case .log: sub.logs.removeLast()
            case .refund(let r): sub.refund = r
            case .touched(let a): if a != ripemdAddress { sub.touched.remove(a) }
            case .selfDestructed(let a): sub.selfDestructs.remove(a)
            case .createdInTransaction(let a): sub.createdInTransaction.remove(a)
            }
        }
    }

    /// Marks the account warm; returns whether it already was.
    @inlinable @inline(__always) mutating func warm(_ a: Address) -> Bool {
        if sub.warmAccounts.insert(a).inserted {
            sub.journal.append(.warmAccount(a))
            return false
        }
        return true
    }

    @inlinable @inline(__always) mutating func warm(_ s: SlotKey) -> Bool {
        if sub.warmSlots.insert(s).inserted {
            sub.journal.append(.warmSlot(s))
            return false
        }
        return true
    }

    @inlinable mutating func touch(_ a: Address) {
        if sub.touched.insert(a).inserted { sub.journal.append(.touched(a)) }
    }

    @inlinable mutating func ensureExists(_ a: Address) {
        if !host.accountExists(a) {
            host.createAccount(a)
            sub.journal.append(.accountCreated(a))
        }
    }

    @inlinable mutating func setBalance(_ a: Address, _ v: UInt256) {
        ensureExists(a)
        sub.journal.append(.balance(a, host.balance(of: a)))
        host.setBalance(a, v)
    }

    @inlinable mutating func setNonce(_ a: Address, _ n: UInt64) {
        ensureExists(a)
        sub.journal.append(.nonce(a, host.nonce(of: a)))
        host.setNonce(a, n)
    }

    @inlinable mutating func setCode(_ a: Address, _ code: [UInt8]) {
        sub.journal.append(.code(a, host.code(at: a)))
        host.setCode(a, code)
    }

    @inlinable mutating func setStorage(_ a: Address, _ key: UInt256, _ value: UInt256, old: UInt256) {
        sub.journal.append(.storage(a, key, old))
        host.setStorage(of: a, key: key, value: value)
    }

    @inlinable mutating func setTransient(_ s: SlotKey, _ v: UInt256) {
        sub.journal.append(.transient(s, sub.transient[s] ?? .zero))
        sub.transient[s] = v.isZero ? nil : v
    }

    @inlinable mutating func addRefund(_ delta: Int64) {
        sub.journal.append(.refund(sub.refund))
        sub.refund += delta
    }

    @inlinable mutating func addLog(_ log: EVMLog) {
        sub.logs.append(log)
        sub.journal.append(.log)
    }

    @inlinable mutating func markSelfDestructed(_ a: Address) {
        if sub.selfDestructs.insert(a).inserted { sub.journal.append(.selfDestructed(a)) }
    }

    @inlinable mutating func markCreated(_ a: Address) {
        if sub.createdInTransaction.insert(a).inserted { sub.journal.append(.createdInTransaction(a)) }
    }

    /// Moves `value` (touching the recipient even when the value is zero, as EIP-161 counts it).
    /// The caller has checked the sender's balance.
    @inlinable mutating func transfer(from: Address, to: Address, _ value: UInt256) {
        if !value.isZero {
            setBalance(from, host.balance(of: from) - value)
            // Wraps as geth's uint256 does: only a genesis granting more than 2^256 in total
            // could reach it, and a transfer must never stop the process.
            setBalance(to, UInt256.wrappingAdd(host.balance(of: to), value))
        }
        touch(to)
    }

    /// EIP-161: an account is empty with nonce 0, balance 0 and no code.
    @inlinable func isEmpty(_ a: Address) -> Bool {
        host.nonce(of: a) == 0 && host.balance(of: a).isZero && host.code(at: a).isEmpty
    }

    @inlinable func isAlive(_ a: Address) -> Bool { host.accountExists(a) && !isEmpty(a) }
}
