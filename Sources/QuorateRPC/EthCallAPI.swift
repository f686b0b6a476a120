import QuorateCore

/// eth_call, eth_estimateGas, eth_getCode, eth_getStorageAt, debug_traceCall and
/// debug_traceTransaction, answered by a `ContractBackend` (docs/json-rpc.md, "Contracts").
public enum EthCallAPI {
    public static func register(on d: RPCDispatcher, backend: ContractBackend) {
        d.register("eth_getCode") { p in
            try p.expectCount(1...2)
            let address = try p.address(at: 0)
            return .data(try backend.code(address, at: try EthAPI.stateHeight(try p.blockSelector(at: 1), backend)))
        }
        d.register("eth_getStorageAt") { p in
            try p.expectCount(2...3)
            let address = try p.address(at: 0)
            let slot = UInt256(bigEndian: try p.quantityBigEndian(at: 1))!
            let value = try backend.storage(address, slot: slot, at: try EthAPI.stateHeight(try p.blockSelector(at: 2), backend))
            return .data(value.bigEndianBytes)
        }
        d.register("eth_call") { p in
            try p.expectCount(1...3)
            let request = try callRequest(try p.object(at: 0))
            let result = try backend.call(request, at: try EthAPI.stateHeight(try p.blockSelector(at: 1), backend), trace: nil)
            return try answer(result)
        }
        d.register("eth_estimateGas") { p in
            try p.expectCount(1...3)
            let request = try callRequest(try p.object(at: 0))
            let height = try EthAPI.stateHeight(try p.blockSelector(at: 1), backend)
            return .quantity(try GasEstimator(backend: backend, height: height).estimate(request))
        }
        d.register("debug_traceCall") { p in
            try p.expectCount(1...3)
            let request = try callRequest(try p.object(at: 0))
            let height = try EthAPI.stateHeight(try p.blockSelector(at: 1), backend)
            let trace = try traceRequest(p.optional(at: 2))
            let result = try backend.call(request, at: height, trace: trace)
            if case .invalid(let why) = result.status { throw RPCError.server(why) }
            return result.trace ?? .null
        }
        d.register("debug_traceTransaction") { p in
            try p.expectCount(1...2)
            let hash = try p.hash(at: 0)
            return try backend.traceTransaction(hash, trace: try traceRequest(p.optional(at: 1)))
        }
    }

    /// At most this many struct-logger steps are kept unless the request asks for fewer.
    public static let maxStructLogSteps = 10_000

    static func traceRequest(_ options: JSON?) throws(RPCError) -> TraceRequest {
        guard let options, !options.isNull else {
            return .structLogs(maxSteps: maxStructLogSteps, withStorage: true, withMemory: false, withStack: true)
        }
        guard let members = options.objectValue else { throw RPCError.invalidParams("invalid argument 1: expected a tracer config object") }
        let o = RPCObject(members: members, argumentIndex: 1)
        if let name = try o.ifPresent("tracer", o.string) {
            guard name == "callTracer" else {
                throw RPCError.invalidParams("invalid argument 1: tracer \(name) is not supported (callTracer, or none for the struct logger)")
            }
            let config = try o.ifPresent("tracerConfig", o.object)
            let onlyTop = try config?.ifPresent("onlyTopCall", { k throws(RPCError) in try config!.bool(k) }) ?? false
            return .callTracer(onlyTopCall: onlyTop)
        }
        let limit = try o.ifPresent("limit", { k throws(RPCError) in try o.quantityOrNumber(k) }) ?? UInt64(maxStructLogSteps)
        let disableStorage = try o.ifPresent("disableStorage", o.bool) ?? false
        let enableMemory = try o.ifPresent("enableMemory", o.bool) ?? false
        let disableStack = try o.ifPresent("disableStack", o.bool) ?? false
        return .structLogs(maxSteps: Int(min(limit == 0 ? UInt64(maxStructLogSteps) : limit, UInt64(maxStructLogSteps))),
                           withStorage: !disableStorage, withMemory: enableMemory, withStack: !disableStack)
    }

    static func callRequest(_ o: RPCObject) throws(RPCError) -> CallRequest {
        var r = CallRequest()
        r.from = try o.ifPresent("from", o.address)
        r.to = try o.ifPresent("to", o.address)
        r.gas = try o.ifPresent("gas", o.quantityUInt64)
        r.gasPrice = try o.ifPresent("gasPrice", o.uint256)
        r.maxFeePerGas = try o.ifPresent("maxFeePerGas", o.uint256)
        r.maxPriorityFeePerGas = try o.ifPresent("maxPriorityFeePerGas", o.uint256)
        r.value = try o.ifPresent("value", o.uint256) ?? .zero
        let input = try o.ifPresent("input", o.bytes)
        let data = try o.ifPresent("data", o.bytes)
        if let input, let data, input != data {
            throw RPCError.invalidParams("both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass transaction call data")
        }
        r.data = input ?? data ?? []
        for entry in try o.ifPresent("accessList", o.array) ?? [] {
            guard let members = entry.objectValue else { throw RPCError.invalidParams("invalid argument 0: accessList entries are objects") }
            let e = RPCObject(members: members, argumentIndex: o.argumentIndex)
            var keys = [Hash32]()
            for key in try e.ifPresent("storageKeys", e.array) ?? [] {
                guard let text = key.stringValue, let bytes = try? HexText.data(text), bytes.count == 32 else {
                    throw RPCError.invalidParams("invalid argument 0: accessList storage keys are 32-byte hex")
                }
                keys.append(Hash32(bytes))
            }
            r.accessList.append(AccessListEntry(address: try e.address("address"), storageKeys: keys))
        }
        return r
    }

    /// geth's answer for a call: the output, or error 3 with the revert data, or -32000.
    static func answer(_ result: CallResult) throws(RPCError) -> JSON {
        switch result.status {
        case .success: return .data(result.output)
        case .revert: throw revertError(result.output)
        case .failure(let why), .invalid(let why): throw RPCError.server(why)
        }
    }

    static func revertError(_ output: [UInt8]) -> RPCError {
        let reason = RevertReason.decode(output)
        return RPCError(code: 3, message: reason.map { "execution reverted: \($0)" } ?? "execution reverted",
                        data: .data(output))
    }
}

/// The reason a revert carries: Solidity/Vyper's Error(string), or a Panic(uint256) code.
public enum RevertReason {
    public static func decode(_ output: [UInt8]) -> String? {
        guard output.count >= 4 else { return nil }
        let selector = Array(output[0..<4])
        if selector == [0x08, 0xc3, 0x79, 0xa0], output.count >= 68 {
            guard let offset = word(output, 4), let length = word(output, 4 + offset),
                  4 + offset + 32 + length <= output.count else { return nil }
            return String(decoding: output[(4 + offset + 32)..<(4 + offset + 32 + length)], as: UTF8.self)
        }
        if selector == [0x4e, 0x48, 0x7b, 0x71], output.count == 36, let code = word(output, 4) {
            return "panic: 0x" + String(code, radix: 16)
        }
        return nil
    }

    /// A 32-byte big-endian word at `at`, when it fits in an Int below 2^32.
    private static func word(_ bytes: [UInt8], _ at: Int) -> Int? {
        guard at >= 0, at + 32 <= bytes.count, bytes[at..<(at + 28)].allSatisfy({ $0 == 0 }) else { return nil }
        return bytes[(at + 28)..<(at + 32)].reduce(0) { $0 << 8 | Int($1) }
    }
}

extension RPCObject {
    func uint256(_ key: String) throws(RPCError) -> UInt256 { UInt256(bigEndian: try quantityBigEndian(key))! }

    /// A JSON number or a hex quantity (tracer configs use plain numbers).
    func quantityOrNumber(_ key: String) throws(RPCError) -> UInt64 {
        if let n = optional(key)?.numberValue?.uint64Value { return n }
        return try quantityUInt64(key)
    }
}
