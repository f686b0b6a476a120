import Foundation
import QuorateCore
import QuorateCrypto
import Synchronization

/// Signs every transfer of a plan before the clock starts, on all cores.
enum Presigner {
    /// One contiguous range of transfers, signed by one worker.
    private struct Chunk: Sendable {
        var bytes: [UInt8] = []
        var lengths: [Int] = []
        var keys: [TxKey] = []
    }

    static func sign(_ plan: TransferPlan) throws -> SignedTransfers {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, plan.count / 1_000 + 1))
        let chunks = Mutex<[Int: Chunk]>([:])
        let failure = Mutex<String?>(nil)
        let signed = Counter()
        let stopwatch = Stopwatch()
        let ticker = Ticker(intervalS: 1) {
            note("pre-signing: \(grouped(signed.count)) of \(grouped(plan.count)) transfers")
        }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let range = (plan.count * w / workers)..<(plan.count * (w + 1) / workers)
            do {
                let chunk = try signRange(plan, range, progress: signed)
                chunks.withLock { $0[w] = chunk }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        ticker.stop()
        if let message = failure.withLock({ $0 }) { throw BenchError("signing a transfer failed: \(message)") }
        let result = merge(plan, chunks.withLock { c in (0..<workers).map { c[$0]! } })
        note(String(format: "pre-signed %@ transfers from %d senders in %.1f s", grouped(plan.count), plan.senders.count, stopwatch.elapsedS))
        return result
    }

    private static func signRange(_ plan: TransferPlan, _ range: Range<Int>, progress: Counter) throws -> Chunk {
        var chunk = Chunk()
        chunk.bytes.reserveCapacity(range.count * 300)
        chunk.lengths.reserveCapacity(range.count)
        chunk.keys.reserveCapacity(range.count)
        for i in range {
            let tx = try plan.unsigned(i).signed(with: plan.senders[plan.sender(of: i)].key)
            let call = "{\"jsonrpc\":\"2.0\",\"id\":\(i),\"method\":\"eth_sendRawTransaction\",\"params\":[\"\(Hex.encode(tx.raw, prefix: true))\"]}"
            chunk.bytes.append(contentsOf: call.utf8)
            chunk.lengths.append(call.utf8.count)
            chunk.keys.append(TxKey(tx.hash.bytes))
            if (i - range.lowerBound) % 1_000 == 999 { progress.add(1_000) }
        }
        return chunk
    }

    private static func merge(_ plan: TransferPlan, _ chunks: [Chunk]) -> SignedTransfers {
        var bytes = [UInt8]()
        bytes.reserveCapacity(chunks.reduce(0) { $0 + $1.bytes.count })
        var offsets = [0]
        offsets.reserveCapacity(plan.count + 1)
        var keys = [TxKey]()
        keys.reserveCapacity(plan.count)
        for chunk in chunks {
            bytes.append(contentsOf: chunk.bytes)
            for length in chunk.lengths { offsets.append(offsets.last! + length) }
            keys.append(contentsOf: chunk.keys)
        }
        return SignedTransfers(plan: plan, bytes: bytes, offsets: offsets, keys: keys)
    }
}
