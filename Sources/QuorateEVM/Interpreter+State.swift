import QuorateCore

extension Interpreter {
    @inlinable mutating func executeState(_ op: UInt8) -> Step {
        switch op {
        case 0x53:
            let off = pop(), v = pop()
            guard let o = memory(off, 1) else { return .halt(.outOfGas) }
            f.memory.base[o] = UInt8(truncatingIfNeeded: v.l0)
        case 0x54:
            let slot = SlotKey(address: f.address, key: f.stack[f.sp - 1])
            guard charge(warm(slot) ? Gas.warmAccess : Gas.coldSload) else { return .halt(.outOfGas) }
            f.stack[f.sp - 1] = host.storage(of: slot.address, key: slot.key)
        case 0x55: return sstore()
        case 0x58: push(UInt256(UInt64(f.pc)))
        case 0x59: push(UInt256(UInt64(f.memory.size)))
        case 0x5a: push(UInt256(f.gas))
        case 0x5c:
            let slot = SlotKey(address: f.address, key: f.stack[f.sp - 1])
            f.stack[f.sp - 1] = sub.transient[slot] ?? .zero
        case 0x5d:
            guard !f.isStatic else { return .halt(.staticWrite) }
            let key = pop(), v = pop()
            setTransient(SlotKey(address: f.address, key: key), v)
        case 0x5e:
            let dest = pop(), src = pop(), size = pop()
            guard let s = smallSize(size), charge(Gas.copyWord * Gas.words(s)),
                  memory(src, size) != nil, let d = memory(dest, size) else { return .halt(.outOfGas) }
            if s > 0 {
                let base = f.memory.base
                (base + d).update(from: base + Int(src.l0), count: Int(s))
            }
        case 0xa0...0xa4: return log(Int(op - 0xa0))
        default:
            return .halt(.invalidOpcode)
        }
        f.pc += 1
        return .next
    }

    /// EIP-2200 net metering with EIP-2929 cold slots and EIP-3529 refunds.
    @inlinable mutating func sstore() -> Step {
        let key = pop(), new = pop()
        if f.gas <= Gas.callStipend { return .halt(.outOfGas) }
        let slot = SlotKey(address: f.address, key: key)
        let current = host.storage(of: f.address, key: key)
        let original: UInt256
        if let o = sub.originals[slot] {
            original = o
        } else {
            original = current
            sub.originals[slot] = current
        }
        var cost: UInt64 = warm(slot) ? 0 : Gas.coldSload
        if original == current && current != new {
            cost += original.isZero ? Gas.storageSet : Gas.storageUpdate - Gas.coldSload
        } else {
            cost += Gas.warmAccess
        }
        var refund: Int64 = 0
        if current != new {
            if !original.isZero && !current.isZero && new.isZero { refund += Gas.storageClearRefund }
            if !original.isZero && current.isZero { refund -= Gas.storageClearRefund }
            if original == new {
                refund += original.isZero
                    ? Int64(Gas.storageSet - Gas.warmAccess)
                    : Int64(Gas.storageUpdate - Gas.coldSload - Gas.warmAccess)
            }
        }
        guard charge(cost) else { return .halt(.outOfGas) }
        guard !f.isStatic else { return .halt(.staticWrite) }
        if refund != 0 { addRefund(refund) }
        if current != new { setStorage(f.address, key, new, old: current) }
        f.pc += 1
        return .next
    }

    @inlinable mutating func log(_ topicCount: Int) -> Step {
        let off = pop(), size = pop()
        var topics: [Hash32] = []
        topics.reserveCapacity(topicCount)
        for _ in 0..<topicCount { topics.append(Hash32(pop().bigEndianBytes)) }
        guard let s = smallSize(size), charge(Gas.logData * s),
              let o = memory(off, size) else { return .halt(.outOfGas) }
        guard !f.isStatic else { return .halt(.staticWrite) }
        addLog(EVMLog(address: f.address, topics: topics, data: f.memory.bytes(o, Int(s))))
        f.pc += 1
        return .next
    }

    /// RETURN, REVERT and SELFDESTRUCT.
    @inlinable mutating func executeHalting(_ op: UInt8) -> Step {
        if op == 0xff { return selfDestruct() }
        let off = pop(), size = pop()
        guard let o = memory(off, size) else { return .halt(.outOfGas) }
        let output = f.memory.bytes(o, Int(size.l0))
        endFrame(op == 0xf3 ? .success : .revert, output: output)
        return .switched
    }

    /// EIP-6780: the balance always moves; the account is deleted only when this transaction
    /// created it.
    @inlinable mutating func selfDestruct() -> Step {
        let beneficiary = pop().asAddress
        var cost: UInt64 = warm(beneficiary) ? 0 : Gas.coldAccountAccess
        let balance = host.balance(of: f.address)
        if !balance.isZero && !isAlive(beneficiary) { cost += Gas.selfDestructNewAccount }
        guard charge(cost) else { return .halt(.outOfGas) }
        guard !f.isStatic else { return .halt(.staticWrite) }
        if beneficiary != f.address {
            transfer(from: f.address, to: beneficiary, balance)
        } else {
            touch(beneficiary)
        }
        if sub.createdInTransaction.contains(f.address) {
            if !balance.isZero || beneficiary == f.address { setBalance(f.address, .zero) }
            markSelfDestructed(f.address)
        }
        endFrame(.success, output: [])
        return .switched
    }
}
