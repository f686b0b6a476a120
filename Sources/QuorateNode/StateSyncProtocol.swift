import QuorateCore
import QuorateState
import QuorateStorage

/// State sync over P2P (`stateRequest` / `stateResponse`, lists of byte strings). The first item
/// names the kind; the answer's first item repeats it.
///
///     offer      request [01]                      answer [01], block, certificate, change...
///     nodes      request [02], hash...  (<= 512)   answer [02], one encoded node per hash ([] if absent)
///     addresses  request [03 | start (20)]         answer [03], address... (>= start, ascending, <= 4096)
///     code       request [04], code hash... (<= 64) answer [04], the code of each hash ([] if absent)
///     headers    request [05 | height (8)]         answer [05], header of height-1, height-2, ...
///                                                   down to 1, at most 255 of them
///
/// An offer is the peer's head block with its certificate, and every validator-set change up to
/// it as RLP [from, set, block from-1, certificate of from-1], so that the syncing node can check
/// each change against the set before it, from genesis on, and then the head's certificate.
/// Nodes are fetched by hash from the certified state root down: each is checked against the hash
/// its checked parent names, so a peer can send nothing that does not belong to the certified
/// tree. Addresses (the flat account table's keys) are only preimages: an account's value always
/// comes from a checked leaf. A contract's storage tree is fetched like the account tree, from the
/// storage root its checked account names, and its code by the code hash it names (checked by
/// keccak256). The headers below the offered block are those BLOCKHASH reaches from the heights
/// after it; each is checked as the one its checked child names as parent.
enum StateSyncProtocol {
    enum Kind: UInt8 { case offer = 1, nodes = 2, addresses = 3, code = 4, headers = 5 }
    /// BLOCKHASH reaches 256 blocks back: from the block after the offered one, the offered
    /// block itself and the 255 below it.
    static let maxHeadersPerAnswer = Int(ChainStore.blockHashWindow) - 1
    static let maxNodesPerRequest = 512
    /// Contract codes per request: 64 x the 24 KiB code limit stays within one message.
    static let maxCodesPerRequest = 64
    static let maxAddressesPerAnswer = 4_096

    struct Offer {
        var block: Block
        var certificate: CommitCertificate
        var changes: [(from: UInt64, set: ValidatorSet)]
    }

    /// The peer no longer holds what it offered (pruned since): ask again for a new offer.
    struct Unavailable: Error {}

    struct Refusal: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: offer

    static func offerAnswer(block: Block, certificate: CommitCertificate,
                            changes: [(from: UInt64, set: ValidatorSet, block: Block, certificate: CommitCertificate)]) -> [[UInt8]] {
        [[Kind.offer.rawValue], block.encoded(), certificate.encoded()] + changes.map { change in
            RLP.encode(.list([RLPItem(change.from), RLPItem(bytes: change.set.encoded()),
                              RLPItem(bytes: change.block.encoded()), RLPItem(bytes: change.certificate.encoded())]))
        }
    }

    /// Checks an offer from genesis's validators on: each change certified by the set before it,
    /// then the block's certificate by the set in force at its height.
    static func verifyOffer(_ items: [[UInt8]], genesis: Genesis) throws -> Offer {
        guard items.count >= 3, items[0] == [Kind.offer.rawValue] else {
            throw Refusal("the offer has \(items.count) items, not [kind, block, certificate, changes...]")
        }
        let block: Block, certificate: CommitCertificate
        do {
            block = try Block(decoding: items[1])
            certificate = try CommitCertificate(rlp: try RLP.decode(items[2]))
        } catch { throw Refusal("the offer's block or certificate does not decode: \(error)") }
        guard block.header.chainId == genesis.chainId, block.height >= 1 else {
            throw Refusal("the offer's block \(block.height) is of chain \(block.header.chainId), not \(genesis.chainId)")
        }
        var history: [(from: UInt64, set: ValidatorSet)] = [(0, genesis.validators)]
        func set(at height: UInt64) -> ValidatorSet { history.last { $0.from <= height }!.set }
        for (i, item) in items.dropFirst(3).enumerated() {
            do {
                let f = try RLP.decode(item).listValue()
                guard f.count == 4 else { throw Refusal("expected 4 fields") }
                let from = try f[0].uint64Value()
                let newSet = try ValidatorSet(rlp: try RLP.decode(try f[1].bytesValue()))
                let enacting = try Block(decoding: try f[2].bytesValue())
                let enactingCert = try CommitCertificate(rlp: try RLP.decode(try f[3].bytesValue()))
                guard from > history.last!.from, from <= block.height + 1, enacting.height + 1 == from,
                      enactingCert.height == enacting.height, enactingCert.blockHash == enacting.hash,
                      enacting.header.nextValidatorsHash == newSet.hash else {
                    throw Refusal("it does not follow from the block that enacts it")
                }
                try enactingCert.verify(validators: set(at: enacting.height), chainId: genesis.chainId)
                history.append((from, newSet))
            } catch {
                throw Refusal("validator-set change \(i + 1) of the offer is refused: \(error)")
            }
        }
        guard certificate.height == block.height, certificate.blockHash == block.hash else {
            throw Refusal("the offer's certificate certifies another block than block \(block.height)")
        }
        do { try certificate.verify(validators: set(at: block.height), chainId: genesis.chainId) } catch {
            throw Refusal("the certificate of offered block \(block.height) does not verify: \(error)")
        }
        guard block.header.nextValidatorsHash == set(at: block.height + 1).hash else {
            throw Refusal("the offer leaves out the validator-set change block \(block.height) enacts")
        }
        return Offer(block: block, certificate: certificate, changes: Array(history.dropFirst()))
    }

    // MARK: headers

    static func headersRequest(below height: UInt64) -> [[UInt8]] {
        var request = [Kind.headers.rawValue]
        request.appendBigEndian(height)
        return [request]
    }

    /// How many headers an answer for a block at `height` holds: down to height 1 (block 0 is
    /// the genesis block every node makes itself), at most `maxHeadersPerAnswer`.
    static func headerCount(below height: UInt64) -> Int {
        Int(min(UInt64(maxHeadersPerAnswer), height > 0 ? height - 1 : 0))
    }

    /// Checks an answer to `headersRequest(below: block.height)`: the headers from the block's
    /// parent down, each the one its child names as parent, ending at genesis when they reach
    /// height 1.
    static func verifyHeaders(_ items: [[UInt8]], below block: BlockHeader, genesisHash: Hash32) throws -> [BlockHeader] {
        guard items.first == [Kind.headers.rawValue] else { throw Refusal("the answer to a headers request is of another kind") }
        let expected = headerCount(below: block.height)
        guard items.count - 1 == expected else {
            throw Refusal("sent \(items.count - 1) headers below block \(block.height), not \(expected)")
        }
        var child = block
        var headers: [BlockHeader] = []
        for bytes in items.dropFirst() {
            let header: BlockHeader
            do { header = try BlockHeader(rlp: try RLP.decode(bytes)) } catch {
                throw Refusal("sent a header that does not decode: \(error)")
            }
            // The count keeps every child at height 2 or above here: no underflow.
            guard header.height == child.height - 1, header.hash == child.parentHash else {
                throw Refusal("sent a header for height \(header.height) that is not the parent of block \(child.height)")
            }
            headers.append(header)
            child = header
        }
        guard child.height != 1 || child.parentHash == genesisHash else {
            throw Refusal("sent headers that do not lead back to this chain's genesis block")
        }
        return headers
    }

    // MARK: nodes

    static func nodesRequest(_ hashes: [Hash32]) -> [[UInt8]] {
        precondition(hashes.count <= maxNodesPerRequest, "a nodes request is bounded")
        return [[Kind.nodes.rawValue]] + hashes.map(\.bytes)
    }

    /// Checks an answer to `nodesRequest(asked)`: one node per hash asked, each hashing to it.
    static func verifyNodes(_ items: [[UInt8]], asked: [Hash32]) throws -> [(hash: Hash32, encoded: [UInt8], node: VerifiedStateNode)] {
        guard items.first == [Kind.nodes.rawValue] else { throw Refusal("the answer to a nodes request is of another kind") }
        guard items.count - 1 == asked.count else {
            throw Refusal("sent \(items.count - 1) nodes for the \(asked.count) asked")
        }
        return try zip(asked, items.dropFirst()).map { hash, encoded in
            // An honest peer may have pruned the offered root since: not a lie, just "not now".
            guard !encoded.isEmpty else { throw Unavailable() }
            do { return (hash, encoded, try SparseMerkleTree.verifyNode(encoded, hash: hash)) } catch {
                throw Refusal("sent a node that is not in the certified tree: \(error)")
            }
        }
    }

    // MARK: code

    static func codeRequest(_ hashes: [Hash32]) -> [[UInt8]] {
        precondition(hashes.count <= maxCodesPerRequest, "a code request is bounded")
        return [[Kind.code.rawValue]] + hashes.map(\.bytes)
    }

    /// Checks an answer to `codeRequest(asked)`: one code per hash, each hashing to it.
    static func verifyCode(_ items: [[UInt8]], asked: [Hash32]) throws -> [(hash: Hash32, code: [UInt8])] {
        guard items.first == [Kind.code.rawValue] else { throw Refusal("the answer to a code request is of another kind") }
        guard items.count - 1 == asked.count else {
            throw Refusal("sent \(items.count - 1) codes for the \(asked.count) asked")
        }
        return try zip(asked, items.dropFirst()).map { hash, code in
            guard !code.isEmpty else { throw Unavailable() }
            guard Hash32.keccak(code) == hash else { throw Refusal("sent code that does not hash to the code hash of its account") }
            return (hash, code)
        }
    }

    // MARK: addresses

    static func addressesRequest(from start: Address) -> [[UInt8]] { [[Kind.addresses.rawValue] + start.bytes] }

    static func verifyAddresses(_ items: [[UInt8]], from start: Address) throws -> [Address] {
        guard items.first == [Kind.addresses.rawValue] else { throw Refusal("the answer to an addresses request is of another kind") }
        guard items.count - 1 <= maxAddressesPerAnswer else {
            throw Refusal("sent \(items.count - 1) addresses, more than the \(maxAddressesPerAnswer) a request allows")
        }
        var previous: Address?
        return try items.dropFirst().map { bytes in
            guard bytes.count == 20 else { throw Refusal("sent an address of \(bytes.count) bytes") }
            let address = Address(bytes)
            guard !(address < start), previous.map({ $0 < address }) ?? true else {
                throw Refusal("sent addresses out of order or before the start asked")
            }
            previous = address
            return address
        }
    }
}
