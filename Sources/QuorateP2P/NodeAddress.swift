import Foundation
import QuorateCrypto

/// A peer as configured: `pubkey@host:port`, the pubkey being the node key as 66 hex digits
/// (compressed secp256k1), as Lightning writes node addresses. IPv6 hosts go in brackets:
/// `02ab...@[::1]:9735`.
public struct NodeAddress: Sendable, Hashable, CustomStringConvertible {
    public let publicKey: Secp256k1.PublicKey
    public let host: String
    public let port: UInt16

    public init(publicKey: Secp256k1.PublicKey, host: String, port: UInt16) {
        self.publicKey = publicKey
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(NodeAddressError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let fail = { (reason: String) in NodeAddressError("\(reason) in \"\(trimmed)\"; expected pubkey@host:port, e.g. 02b4...c1@10.0.0.7:9735") }
        guard let at = trimmed.firstIndex(of: "@") else { throw fail("no '@'") }
        let keyText = String(trimmed[..<at])
        let hostPort = String(trimmed[trimmed.index(after: at)...])

        guard keyText.utf8.count == 66 else {
            throw fail("the node key must be 66 hex digits (a compressed secp256k1 public key, no 0x), got \(keyText.utf8.count) characters")
        }
        guard let keyBytes = try? Hex.decode(keyText), !keyText.hasPrefix("0x") else {
            throw fail("the node key is not hex")
        }
        guard let key = try? Secp256k1.PublicKey(bytes: keyBytes) else {
            throw fail("the node key is not a valid compressed secp256k1 public key (must start with 02 or 03 and lie on the curve)")
        }

        let host: Substring
        let portText: Substring
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw fail("an IPv6 host has no closing ']'") }
            host = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let rest = hostPort[hostPort.index(after: close)...]
            guard rest.hasPrefix(":") else { throw fail("no ':port' after the IPv6 host") }
            portText = rest.dropFirst()
        } else {
            guard let colon = hostPort.lastIndex(of: ":") else { throw fail("no ':port'") }
            host = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
            guard !host.contains(":") else { throw fail("an IPv6 host must be written in brackets, [addr]:port") }
        }
        guard !host.isEmpty else { throw fail("the host is empty") }
        guard !host.contains(where: { $0 == "@" || $0 == "/" || $0.isWhitespace }) else {
            throw fail("the host contains '@', '/' or a space")
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(portText), port > 0 else {
            throw fail("the port must be a number from 1 to 65535")
        }
        self.init(publicKey: key, host: String(host), port: port)
    }

    /// "host:port", IPv6 hosts in brackets.
    public var hostAndPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public var description: String { "\(Hex.encode(publicKey.compressed))@\(hostAndPort)" }
}

public struct NodeAddressError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
