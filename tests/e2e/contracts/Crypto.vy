# pragma version ^0.4.0
# Calls the sha256 (0x02) and ecrecover (0x01) precompiles.

last_hash: public(bytes32)
last_signer: public(address)


@external
@view
def digest(_data: Bytes[256]) -> bytes32:
    return sha256(_data)


@external
@view
def signer(_hash: bytes32, _v: uint8, _r: bytes32, _s: bytes32) -> address:
    return ecrecover(_hash, _v, _r, _s)


@external
def remember(_data: Bytes[256], _v: uint8, _r: bytes32, _s: bytes32):
    self.last_hash = sha256(_data)
    self.last_signer = ecrecover(keccak256(_data), _v, _r, _s)
