"""An independent verifier of quorate_getProof answers, written from docs/architecture.md:
it trusts nothing but a block's state root."""
import rlp
from eth_hash.auto import keccak


def leaf_hash(key: bytes, value_hash: bytes) -> bytes:
    return keccak(b"\x00" + key + value_hash)


def inner_hash(left: bytes, right: bytes) -> bytes:
    return keccak(b"\x01" + left + right)


def path_bit(key: bytes, depth: int) -> int:
    return (key[depth // 8] >> (7 - depth % 8)) & 1


def parse(proof: bytes):
    kind, key, rest = proof[0], proof[1:33], proof[33:]
    value = other = None
    if kind == 1:
        n = int.from_bytes(rest[:4], "big")
        value, rest = rest[4:4 + n], rest[4 + n:]
    elif kind == 2:
        other, rest = (rest[:32], rest[32:64]), rest[64:]
    elif kind != 0:
        raise ValueError("unknown proof kind")
    count = int.from_bytes(rest[:2], "big")
    siblings = [rest[2 + 32 * i: 2 + 32 * (i + 1)] for i in range(count)]
    if len(rest) != 2 + 32 * count:
        raise ValueError("trailing bytes")
    return key, value, other, siblings


def verify(proof_hex: str, address_hex: str, state_root_hex: str):
    """Returns (nonce, balance) for a present account, None for an absent one; raises if the
    proof does not lead to the state root."""
    key, value, other, siblings = parse(bytes.fromhex(proof_hex[2:]))
    if key != keccak(bytes.fromhex(address_hex[2:])):
        raise ValueError("proof is for another key")
    if value is not None:
        h = leaf_hash(key, keccak(value))
    elif other is not None:
        h = leaf_hash(*other)
    else:
        h = b"\x00" * 32
    for depth in range(len(siblings) - 1, -1, -1):
        h = inner_hash(h, siblings[depth]) if path_bit(key, depth) == 0 else inner_hash(siblings[depth], h)
    if h != bytes.fromhex(state_root_hex[2:]):
        raise ValueError("proof does not lead to the state root")
    if value is None:
        return None
    # [nonce, balance, roles] or, for a contract, [nonce, balance, roles, codeHash, storageRoot].
    fields = rlp.decode(value)
    return int.from_bytes(fields[0], "big"), int.from_bytes(fields[1], "big")


def account_fields(proof_hex: str):
    """The account record a present-account proof carries, as its RLP fields."""
    _key, value, _other, _siblings = parse(bytes.fromhex(proof_hex[2:]))
    return rlp.decode(value)


def verify_storage(proof_hex: str, slot: int, storage_root_hex: str) -> int:
    """The value of `slot` (0 when absent) proved against an account's storage root: keys are
    keccak256 of the 32-byte slot, values minimal big-endian bytes (docs/contracts.md)."""
    key, value, other, siblings = parse(bytes.fromhex(proof_hex[2:]))
    if key != keccak(slot.to_bytes(32, "big")):
        raise ValueError("proof is for another slot")
    if value is not None:
        h = leaf_hash(key, keccak(value))
    elif other is not None:
        h = leaf_hash(*other)
    else:
        h = b"\x00" * 32
    for depth in range(len(siblings) - 1, -1, -1):
        h = inner_hash(h, siblings[depth]) if path_bit(key, depth) == 0 else inner_hash(siblings[depth], h)
    if h != bytes.fromhex(storage_root_hex[2:]):
        raise ValueError("storage proof does not lead to the storage root")
    return 0 if value is None else int.from_bytes(value, "big")
