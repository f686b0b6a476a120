import QuorateCore
import QuorateCrypto
import QuorateTestSupport
import Testing

@Suite("commit certificates")
struct CertificateTests {
    static let chainId: UInt64 = 1337
    static let block = TestKeys.hash(0x42)

    func expectRefused(_ cert: CommitCertificate, _ set: ValidatorSet, chainId: UInt64 = chainId, containing text: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try cert.verify(validators: set, chainId: chainId)
            Issue.record("certificate verified but should be refused (\(text))", sourceLocation: sourceLocation)
        } catch {
            #expect(error is CertificateError, sourceLocation: sourceLocation)
            #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("n=4: 3 signatures reach the quorum, 4 too")
    func quorumReached() throws {
        let (keys, set) = TestKeys.validators(4)
        let three = try TestKeys.certificate(height: 9, round: 1, block: Self.block, signers: Array(keys[0..<3]), chainId: Self.chainId)
        #expect(try three.verify(validators: set, chainId: Self.chainId) == 3)
        let four = try TestKeys.certificate(height: 9, round: 1, block: Self.block, signers: keys, chainId: Self.chainId)
        #expect(try four.verify(validators: set, chainId: Self.chainId) == 4)
    }

    @Test("n=4: 2 signatures are below the quorum; none neither")
    func quorumNotReached() throws {
        let (keys, set) = TestKeys.validators(4)
        let two = try TestKeys.certificate(height: 9, block: Self.block, signers: Array(keys[1..<3]), chainId: Self.chainId)
        expectRefused(two, set, containing: "voting power 2, below the quorum of 3")
        let none = CommitCertificate(height: 9, round: 0, blockHash: Self.block, signatures: [])
        expectRefused(none, set, containing: "below the quorum")
    }

    @Test("weighted powers: the quorum counts power, not signers")
    func weightedQuorum() throws {
        let (keys, set) = TestKeys.validators(4, powers: [3, 1, 1, 1])
        #expect(set.totalPower == 6 && set.quorumPower == 5)
        let heavyPlusOne = try TestKeys.certificate(height: 2, block: Self.block, signers: [keys[0], keys[1]], chainId: Self.chainId)
        expectRefused(heavyPlusOne, set, containing: "voting power 4, below the quorum of 5")
        let heavyPlusTwo = try TestKeys.certificate(height: 2, block: Self.block, signers: [keys[0], keys[1], keys[2]], chainId: Self.chainId)
        #expect(try heavyPlusTwo.verify(validators: set, chainId: Self.chainId) == 5)
        let threeLight = try TestKeys.certificate(height: 2, block: Self.block, signers: Array(keys[1...3]), chainId: Self.chainId)
        expectRefused(threeLight, set, containing: "voting power 3")
    }

    @Test("a signer outside the validator set is refused")
    func nonValidatorSigner() throws {
        let (keys, set) = TestKeys.validators(4)
        let outsider = TestKeys.key(99)
        let cert = try TestKeys.certificate(height: 3, block: Self.block, signers: [keys[0], keys[1], outsider], chainId: Self.chainId)
        expectRefused(cert, set, containing: "\(TestKeys.address(outsider)) is not a validator")
    }

    @Test("a duplicated signer is refused, so one validator cannot count twice")
    func duplicateSigner() throws {
        let (keys, set) = TestKeys.validators(4)
        let cert = try TestKeys.certificate(height: 3, block: Self.block, signers: [keys[0], keys[0], keys[1]], chainId: Self.chainId)
        #expect(cert.signatures.count == 3)
        expectRefused(cert, set, containing: "not sorted and unique")
    }

    @Test("unsorted signers are refused, not silently reordered")
    func unsortedSigners() throws {
        let (keys, set) = TestKeys.validators(4)
        var cert = try TestKeys.certificate(height: 3, block: Self.block, signers: Array(keys[0..<3]), chainId: Self.chainId)
        cert.signatures.reverse()
        expectRefused(cert, set, containing: "not sorted and unique")
        // Decoding keeps the order as sent, so the check applies to certificates from peers.
        let decoded = try CommitCertificate(rlp: try RLP.decode(cert.encoded()))
        #expect(decoded.signatures == cert.signatures)
        expectRefused(decoded, set, containing: "not sorted and unique")
    }

    @Test("a bad signature is refused: another block's, or another key's under a validator's name")
    func badSignature() throws {
        let (keys, set) = TestKeys.validators(4)
        var cert = try TestKeys.certificate(height: 3, block: Self.block, signers: Array(keys[0..<3]), chainId: Self.chainId)
        let victim = cert.signatures[1].validator
        let key = try #require(keys.first { TestKeys.address($0) == victim })
        let other = try Vote.sign(chainId: Self.chainId, type: .precommit, height: 3, round: 0, blockHash: TestKeys.hash(1), key: key)
        cert.signatures[1].signature = other.signature
        expectRefused(cert, set, containing: "signature of \(victim) does not verify")

        var borrowed = try TestKeys.certificate(height: 3, block: Self.block, signers: Array(keys[0..<3]), chainId: Self.chainId)
        let stranger = try Vote.sign(chainId: Self.chainId, type: .precommit, height: 3, round: 0, blockHash: Self.block, key: TestKeys.key(77))
        let name = borrowed.signatures[0].validator
        borrowed.signatures[0].signature = stranger.signature
        expectRefused(borrowed, set, containing: "signature of \(name) does not verify")

        // A prevote is not a precommit.
        let prevotes = try keys[0..<3].map {
            try Vote.sign(chainId: Self.chainId, type: .prevote, height: 3, round: 0, blockHash: Self.block, key: $0)
        }
        let fromPrevotes = CommitCertificate(height: 3, round: 0, blockHash: Self.block,
                                             signatures: prevotes.map { CommitSignature(validator: $0.validator, signature: $0.signature) })
        expectRefused(fromPrevotes, set, containing: "does not verify")
    }

    @Test("the high-S twin of a valid signature is refused, so a certificate cannot be re-signed into another hash")
    func highS() throws {
        let (keys, set) = TestKeys.validators(4)
        var cert = try TestKeys.certificate(height: 3, block: Self.block, signers: Array(keys[0..<3]), chainId: Self.chainId)
        let original = cert.signatures[0].signature
        let n = try #require(UInt256(hexQuantity: "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"))
        let highS = n - (try #require(UInt256(bigEndian: original.s)))
        cert.signatures[0].signature = try Secp256k1.RecoverableSignature(r: original.r, s: highS.bigEndianBytes,
                                                                          recoveryId: original.recoveryId ^ 1)
        expectRefused(cert, set, containing: "does not verify")
    }

    @Test("a certificate moved to another block, height, round or chain does not verify")
    func wrongBlock() throws {
        let (keys, set) = TestKeys.validators(4)
        let cert = try TestKeys.certificate(height: 3, round: 1, block: Self.block, signers: Array(keys[0..<3]), chainId: Self.chainId)
        var c = cert
        c.blockHash = TestKeys.hash(0x43)
        expectRefused(c, set, containing: "does not verify")
        c = cert
        c.height = 4
        expectRefused(c, set, containing: "does not verify")
        c = cert
        c.round = 0
        expectRefused(c, set, containing: "does not verify")
        expectRefused(cert, set, chainId: Self.chainId + 1, containing: "does not verify")
    }

    @Test("more signatures than validators are refused before any is checked")
    func tooManySignatures() throws {
        let (keys, set) = TestKeys.validators(4)
        let big = TestKeys.validators(5)
        let cert = try TestKeys.certificate(height: 3, block: Self.block, signers: big.keys, chainId: Self.chainId)
        expectRefused(cert, set, containing: "more signatures (5) than validators (4)")
        _ = keys
    }

    @Test("RLP round trip keeps every field and the hash")
    func roundTrip() throws {
        let (keys, _) = TestKeys.validators(4)
        let cert = try TestKeys.certificate(height: 1 << 40, round: UInt32.max, block: Self.block, signers: keys, chainId: Self.chainId)
        let decoded = try CommitCertificate(rlp: try RLP.decode(cert.encoded()))
        #expect(decoded == cert)
        #expect(decoded.hash == cert.hash)
        #expect(decoded.encoded() == cert.encoded())
    }

    @Test("decoding refuses malformed certificates with a clear error")
    func malformed() throws {
        let (keys, _) = TestKeys.validators(2)
        let cert = try TestKeys.certificate(height: 3, block: Self.block, signers: keys, chainId: Self.chainId)
        guard case .list(let fields) = cert.rlp else { Issue.record("not a list"); return }
        func refused(_ item: RLPItem, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
            expectError(containing: text, sourceLocation: sourceLocation) { _ = try CommitCertificate(rlp: item) }
        }
        refused(.list(Array(fields.prefix(3))), "expected 4 fields, got 3")
        refused(.list(fields + [RLPItem(1)]), "expected 4 fields, got 5")
        refused(.bytes([1, 2]), "expected List")
        var bigRound = fields
        bigRound[1] = RLPItem(UInt64(UInt32.max) + 1)
        refused(.list(bigRound), "round out of range")
        var shortHash = fields
        shortHash[2] = RLPItem(bytes: [1, 2, 3])
        refused(.list(shortHash), "")
        guard case .list(let entries) = fields[3] else { Issue.record("not a list"); return }
        var tooMany = fields
        tooMany[3] = .list(Array(repeating: entries[0], count: ValidatorSet.maxValidators + 1))
        refused(.list(tooMany), "257 signatures exceed the limit of 256")
        var badEntry = fields
        badEntry[3] = .list([.list([RLPItem(TestKeys.addr(1))])])
        refused(.list(badEntry), "malformed signature entry")
        var shortSignature = fields
        shortSignature[3] = .list([.list([RLPItem(TestKeys.addr(1)), RLPItem(bytes: [UInt8](repeating: 1, count: 64))])])
        refused(.list(shortSignature), "65 bytes")
        #expect(throws: (any Error).self) { try CommitCertificate(rlp: try RLP.decode(cert.encoded() + [0x00])) }
    }
}
