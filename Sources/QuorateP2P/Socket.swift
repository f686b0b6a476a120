import Foundation

/// Why a socket call failed; turned into `PeerConnectionError` by the callers, which know the context.
enum SocketFailure: Error {
    case timedOut
    case system(String)

    static func errno(_ call: String) -> SocketFailure {
        .system("\(call): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// One TCP socket (Glibc), blocking. The descriptor is closed only in `deinit`, when no thread
/// can still use it: closing while another thread sits in `recv` could let the kernel hand the
/// same number to a new socket that the old thread would then read. Other threads are woken
/// with `shutdown()`, which makes blocked `recv`/`send`/`accept` return.
final class Socket: Sendable {
    let fd: Int32

    init(fd: Int32) {
        precondition(fd >= 0)
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends FIN after what was written, then reads and discards until the peer closes or
    /// `deadline` passes. Closing with unread bytes in the receive queue makes the kernel send
    /// RST, and an RST can make the peer drop our last message (a goodbye) before reading it.
    func lingerAfterFinalWrite(deadline: ContinuousClock.Instant) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            do { try wait(for: Int16(POLLIN), deadline: deadline) } catch { return }
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return }
            if n < 0 && Glibc.errno != EINTR && Glibc.errno != EAGAIN { return }
        }
    }

    // MARK: Reading

    /// Up to `buffer.count` bytes into `buffer`, blocking; 0 at end of stream.
    func read(into buffer: inout [UInt8]) throws(SocketFailure) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n >= 0 { return n }
            if Glibc.errno == EINTR { continue }
            throw .errno("recv")
        }
    }

    /// Exactly `count` bytes unless the stream ends first (then fewer), before `deadline`.
    /// Never reads past `count`: bytes after a handshake act stay in the kernel until the
    /// handshake (and the allowlist check) has succeeded.
    func read(exactly count: Int, deadline: ContinuousClock.Instant,
              clock: any NetworkClock = .monotonic) throws(SocketFailure) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var have = 0
        while have < count {
            try wait(for: Int16(POLLIN), deadline: deadline, clock: clock)
            let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + have, count - have, 0) }
            if n == 0 { return Array(out[0..<have]) }
            if n < 0 {
                if Glibc.errno == EINTR || Glibc.errno == EAGAIN { continue }
                throw .errno("recv")
            }
            have += n
        }
        return out
    }

    // MARK: Writing

    /// Writes everything. With a deadline, waits for writability with poll; without one, relies
    /// on the socket's SO_SNDTIMEO (a peer that stops reading fails the write with EAGAIN).
    func writeAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant? = nil,
                  clock: any NetworkClock = .monotonic) throws(SocketFailure) {
        var offset = 0
        while offset < bytes.count {
            if let deadline { try wait(for: Int16(POLLOUT), deadline: deadline, clock: clock) }
            // MSG_NOSIGNAL: a peer that closed must give EPIPE, not a SIGPIPE that kills the node.
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                if Glibc.errno == EAGAIN || Glibc.errno == EWOULDBLOCK { throw .timedOut }
                throw .errno("send")
            }
            offset += n
        }
    }

    // MARK: Options

    func setNoDelay() {
        // Votes and proposals are small and latency-bound: no Nagle delay.
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    func setSendTimeout(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func setNonBlocking(_ on: Bool) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// Polls for `events` until `deadline` of `clock`; throws `.timedOut` when it passes.
    func wait(for events: Int16, deadline: ContinuousClock.Instant,
              clock: any NetworkClock = .monotonic) throws(SocketFailure) {
        while true {
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { throw .timedOut }
            let (seconds, attoseconds) = clock.pollSlice(remaining: remaining).components
            let ms = min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&pfd, 1, Int32(ms))
            if rc > 0 { return }   // ready, or an error/hang-up that the next call will report
            if rc < 0, Glibc.errno != EINTR { throw .errno("poll") }
        }
    }
}
