import QuorateCore

/// eth_estimateGas as geth does it: run at the highest allowance to learn whether the call can
/// succeed at all, then binary-search the smallest gas limit with which it succeeds, between
/// the gas used (less one) and that allowance. Messages are geth's.
struct GasEstimator {
    let backend: ContractBackend
    let height: UInt64?

    func estimate(_ request: CallRequest) throws(RPCError) -> UInt64 {
        let cap = backend.callLimits.gasCap
        var hi = backend.blockGasLimit
        if let gas = request.gas, gas >= 21_000 { hi = min(hi, gas) }
        hi = try fundedLimit(request, hi)
        if cap > 0 { hi = min(hi, cap) }
        let first = try run(request, gas: hi)
        switch first.status {
        case .success: break
        case .revert: throw EthCallAPI.revertError(first.output)
        case .failure(let why):
            if why == "out of gas" || why.hasPrefix("out of gas") {
                throw RPCError.server("gas required exceeds allowance (\(hi))")
            }
            throw RPCError.server(why)
        case .invalid(let why): throw RPCError.server(why)
        }
        var lo = max(first.gasUsed, 21_000) - 1
        // Most calls need their gas used plus what a 63/64 reserve keeps back: try that first.
        let optimistic = (first.gasUsed + 2_300) * 64 / 63
        if optimistic < hi {
            if try succeeds(request, gas: optimistic) { hi = optimistic } else { lo = optimistic }
        }
        while lo + 1 < hi {
            let mid = lo + (hi - lo) / 2
            if try succeeds(request, gas: mid) { hi = mid } else { lo = mid }
        }
        return hi
    }

    private func run(_ request: CallRequest, gas: UInt64) throws(RPCError) -> CallResult {
        var r = request
        r.gas = gas
        do { return try backend.call(r, at: height, trace: nil) } catch let e as RPCError { throw e } catch {
            throw RPCError.server("\(error)")
        }
    }

    private func succeeds(_ request: CallRequest, gas: UInt64) throws(RPCError) -> Bool {
        let result = try run(request, gas: gas)
        if case .invalid(let why) = result.status, !why.hasPrefix("intrinsic gas too low") { throw RPCError.server(why) }
        return result.status == .success
    }

    /// With a non-zero price, the sender's balance bounds the gas it can buy (geth's rule).
    private func fundedLimit(_ request: CallRequest, _ hi: UInt64) throws(RPCError) -> UInt64 {
        let price = request.gasPrice ?? request.maxFeePerGas ?? .zero
        guard !price.isZero, let from = request.from else { return hi }
        let balance: UInt256
        do { balance = try backend.account(from, at: height).balance } catch { throw RPCError.server("\(error)") }
        guard balance >= request.value else { throw RPCError.server("insufficient funds for transfer") }
        let allowance = (balance - request.value) / price
        if let small = allowance.uint64, small < hi { return small }
        return hi
    }
}
