import Foundation
import QuorateRPC

/// One client thread: takes batches from the schedule and sends them as JSON-RPC batches of
/// `eth_sendRawTransaction` over its own keep-alive connection to each node. With several nodes
/// a batch is split by sender: sender `s` always goes to node `s % nodes`.
struct Submitter {
    /// Pause before sending again what the node refused with "txpool is full".
    static let poolFullPauseS = 0.02
    /// Attempts of one batch when the connection fails (the node may have taken part of it:
    /// "already known" then counts as accepted).
    static let connectionAttempts = 3

    let state: RunState
    let urls: [String]
    let stallTimeoutS: Double

    /// The thread body; any failure is recorded in `state` and ends every submitter.
    func run() {
        do {
            let clients = try urls.map { try RPCClient(url: $0) }
            while state.failure == nil {
                switch state.schedule.take(elapsedS: state.stopwatch.elapsedS, committed: state.committed.count) {
                case .done: return
                case .wait(let seconds): Clock.sleep(seconds: seconds)
                case .batch(let range):
                    for (node, part) in split(range, nodes: clients.count).enumerated() where !part.isEmpty {
                        try submit(part, client: clients[node])
                    }
                }
            }
        } catch {
            state.fail("submitting transfers failed: \(error)")
        }
    }

    /// The batch's transfers per node, in index order.
    private func split(_ range: Range<Int>, nodes: Int) -> [[Int]] {
        guard nodes > 1 else { return [Array(range)] }
        let plan = state.transfers.plan
        var parts = [[Int]](repeating: [], count: nodes)
        for i in range { parts[plan.sender(of: i) % nodes].append(i) }
        return parts
    }

    /// Sends until every transfer of the batch is accepted; refused-as-full ones again after a pause.
    private func submit(_ batch: [Int], client: RPCClient) throws {
        var pending = batch
        let firstTryNs = Clock.monotonicNs()
        while !pending.isEmpty, state.failure == nil {
            let sentNs = Clock.monotonicNs()
            let answers = try post(state.transfers.batchBody(pending), client: client)
            pending = try settle(pending, answers: answers, sentNs: sentNs)
            if !pending.isEmpty {
                state.poolFullRetries.add(pending.count)
                guard Double(Clock.monotonicNs() - firstTryNs) / 1e9 < stallTimeoutS else {
                    throw BenchError("the node's pool stayed full for \(Int(stallTimeoutS)) s (\(pending.count) transfers refused with \"txpool is full\"): it is not committing blocks")
                }
                Clock.sleep(seconds: Submitter.poolFullPauseS)
            }
        }
    }

    private func post(_ body: [UInt8], client: RPCClient) throws -> [JSON] {
        var lastError: Error?
        for _ in 0..<Submitter.connectionAttempts {
            do {
                let answer = try client.post(body)
                state.answered()
                if let array = answer.arrayValue { return array }
                if let error = answer["error"] {
                    throw BenchError("the node refused a whole batch: \(error["message"]?.stringValue ?? "\(error)")")
                }
                throw BenchError("the node answered a batch with \(answer.typeName), not an array")
            } catch let error as RPCClient.ClientError {
                lastError = error
                client.close()
            }
        }
        throw BenchError("cannot send a batch to \(client.url): \(lastError.map { "\($0)" } ?? "unknown error")")
    }

    /// Records accepted transfers; returns those to send again; throws on any other refusal.
    private func settle(_ pending: [Int], answers: [JSON], sentNs: UInt64) throws -> [Int] {
        var again = [Int]()
        var seen = 0
        for answer in answers {
            guard let id = answer["id"]?.numberValue?.int64Value, let i = Int(exactly: id),
                  i >= 0, i < state.transfers.count else {
                throw BenchError("the node answered a call the bench did not make: \(answer)")
            }
            seen += 1
            if let error = answer["error"] {
                let message = error["message"]?.stringValue ?? "\(error)"
                if message.hasPrefix("txpool is full") { again.append(i); continue }
                guard message == "already known" else {
                    throw BenchError("the node refused transfer \(i) (\(state.transfers.keys[i].hex)): \(message)")
                }
            }
            state.submitNs[i] = sentNs
        }
        guard seen == pending.count else {
            throw BenchError("the node answered \(seen) of the \(pending.count) calls of a batch")
        }
        state.accepted.add(pending.count - again.count)
        return again
    }
}
