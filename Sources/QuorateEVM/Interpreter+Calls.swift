import QuorateCore
import QuorateCrypto

/// Contract addresses (yellow paper, EIP-1014).
public enum ContractAddress {
    /// CREATE and creating transactions: keccak256(rlp([sender, nonce]))[12:].
    public static func create(sender: Address, nonce: UInt64) -> Address {
        let rlp = RLP.encode(.list([RLPItem(sender), RLPItem(nonce)]))
        return Address(Array(Keccak256.hash(rlp)[12...]))
    }

    /// CREATE2: keccak256(0xff ++ sender ++ salt ++ keccak256(initcode))[12:].
    public static func create2(sender: Address, salt: UInt256, initcode: [UInt8]) -> Address {
        let preimage = [0xff] + sender.bytes + salt.bigEndianBytes + Keccak256.hash(initcode)
        return Address(Array(Keccak256.hash(preimage)[12...]))
    }
}

extension Interpreter {
    /// Memory for CALL's input and output regions, charged once for the larger end.
    @inlinable mutating func memory(_ o1: UInt256, _ s1: UInt256, _ o2: UInt256, _ s2: UInt256) -> (Int, Int)? {
        var end: UInt64 = 0
        func region(_ o: UInt256, _ s: UInt256) -> Int? {
            if s.isZero { return 0 }
            guard let ov = o.uint64, let sv = s.uint64, ov <= Gas.maxMemoryBytes, sv <= Gas.maxMemoryBytes,
                  ov + sv <= Gas.maxMemoryBytes else { return nil }
            end = Swift.max(end, ov + sv)
            return Int(ov)
        }
        guard let r1 = region(o1, s1), let r2 = region(o2, s2) else { return nil }
        guard expand(to: Int(end)) else { return nil }
        return (r1, r2)
    }

    /// CALL, CALLCODE, DELEGATECALL and STATICCALL.
    @inlinable mutating func call(_ op: UInt8) -> Step {
        let gasArg = pop(), target = pop().asAddress
        let value: UInt256 = (op == 0xf1 || op == 0xf2) ? pop() : .zero
        let inOff = pop(), inSize = pop(), outOff = pop(), outSize = pop()
        guard let (inO, outO) = memory(inOff, inSize, outOff, outSize) else { return .halt(.outOfGas) }
        var extra = accessCost(target)
        if !value.isZero {
            extra += Gas.callValue
            if op == 0xf1 && !isAlive(target) { extra += Gas.newAccount }
        }
        guard f.gas >= extra else { return .halt(.outOfGas) }
        let available = Gas.allButOne64th(f.gas - extra)
        let callGas = gasArg.uint64.map { Swift.min($0, available) } ?? available
        f.gas -= extra + callGas
        if op == 0xf1 && f.isStatic && !value.isZero { return .halt(.staticWrite) }
        let childGas = callGas + (value.isZero ? 0 : Gas.callStipend)
        f.returnData = []
        f.pc += 1
        if (!value.isZero && host.balance(of: f.address) < value) || f.depth > Gas.callDepthLimit {
            f.gas += childGas
            push(.zero)
            return .next
        }
        let input = inSize.isZero ? [] : f.memory.bytes(inO, Int(inSize.l0))
        let checkpoint = self.checkpoint
        var address = target, caller = f.address, childValue = value
        switch op {
        case 0xf1: transfer(from: f.address, to: target, value)
        case 0xf2: address = f.address; transfer(from: f.address, to: f.address, value)
        case 0xf4: address = f.address; caller = f.caller; childValue = f.value
        default: touch(target)
        }
        if Precompiles.contains(target) {
            runPrecompile(target, input: input, gas: childGas, checkpoint: checkpoint,
                          outOffset: outO, outSize: Int(outSize.l0))
            return .next
        }
        var child = newFrame(code: code(at: target), gas: childGas, address: address, caller: caller,
                             value: childValue, input: input, isStatic: f.isStatic || op == 0xfa,
                             depth: f.depth + 1, isCreate: false)
        child.checkpoint = checkpoint
        child.returnOffset = outO
        child.returnSize = outSize.isZero ? 0 : Int(outSize.l0)
        enter(child, parkCurrent: true)
        return .switched
    }

    /// A precompile runs inside the CALL step; it needs no frame.
    @inlinable mutating func runPrecompile(_ address: Address, input: [UInt8], gas: UInt64, checkpoint: Int,
                                outOffset: Int, outSize: Int) {
        switch Precompiles.run(address, input: input, gasLimit: gas) {
        case .success(let used, let output) where used <= gas:
            f.gas += gas - used
            f.returnData = output
            let n = Swift.min(outSize, output.count)
            if n > 0 { output.withUnsafeBufferPointer { (f.memory.base + outOffset).update(from: $0.baseAddress!, count: n) } }
            push(1)
        case .success, .failure:
            revert(to: checkpoint)
            push(.zero)
        }
    }

    /// CREATE and CREATE2.
    @inlinable mutating func create(_ op: UInt8) -> Step {
        let value = pop(), off = pop(), size = pop()
        let salt: UInt256 = op == 0xf5 ? pop() : .zero
        guard let s = smallSize(size), let o = memory(off, size) else { return .halt(.outOfGas) }
        let words = Gas.words(s)
        guard charge(Gas.initCodeWord * words + (op == 0xf5 ? Gas.keccakWord * words : 0)),
              s <= UInt64(Gas.maxInitCodeSize) else { return .halt(.outOfGas) }
        let childGas = Gas.allButOne64th(f.gas)
        f.gas -= childGas
        guard !f.isStatic else { return .halt(.staticWrite) }
        let initcode = f.memory.bytes(o, Int(s))
        f.returnData = []
        f.pc += 1
        let nonce = host.nonce(of: f.address)
        if host.balance(of: f.address) < value || nonce == .max || f.depth > Gas.callDepthLimit {
            f.gas += childGas
            push(.zero)
            return .next
        }
        let address = op == 0xf0
            ? ContractAddress.create(sender: f.address, nonce: nonce)
            : ContractAddress.create2(sender: f.address, salt: salt, initcode: initcode)
        _ = warm(address)
        setNonce(f.address, nonce + 1)
        if hasCollision(address) {
            push(.zero)
            return .next
        }
        let child = beginCreate(address, caller: f.address, value: value, initcode: initcode, gas: childGas,
                                depth: f.depth + 1)
        enter(child, parkCurrent: true)
        return .switched
    }

    /// EIP-684 and EIP-7610: an address with a nonce, code or storage cannot be created.
    @inlinable func hasCollision(_ a: Address) -> Bool {
        host.nonce(of: a) != 0 || !host.code(at: a).isEmpty || host.hasStorage(a)
    }

    /// The start of a creation frame: nonce 1 (EIP-161), marked created (EIP-6780), endowment.
    @inlinable mutating func beginCreate(_ address: Address, caller: Address, value: UInt256, initcode: [UInt8],
                              gas: UInt64, depth: Int) -> Frame {
        let checkpoint = self.checkpoint
        markCreated(address)
        setNonce(address, 1)
        transfer(from: caller, to: address, value)
        var frame = newFrame(code: AnalyzedCode(initcode), gas: gas, address: address, caller: caller,
                             value: value, input: [], isStatic: false, depth: depth, isCreate: true)
        frame.checkpoint = checkpoint
        return frame
    }
}
