# pragma version ^0.4.0
# Creates contracts with CREATE (no salt) and CREATE2 (with a salt).

event Created:
    child: indexed(address)
    kind: uint256

last: public(address)


@external
def proxy(_target: address) -> address:
    child: address = create_minimal_proxy_to(_target)
    self.last = child
    log Created(child=child, kind=1)
    return child


@external
def proxy_salted(_target: address, _salt: bytes32) -> address:
    child: address = create_minimal_proxy_to(_target, salt=_salt)
    self.last = child
    log Created(child=child, kind=2)
    return child


@external
def copy_salted(_target: address, _salt: bytes32) -> address:
    child: address = create_copy_of(_target, salt=_salt)
    self.last = child
    log Created(child=child, kind=3)
    return child


@external
def from_blueprint(_blueprint: address, _value: uint256, _salt: bytes32) -> address:
    child: address = create_from_blueprint(_blueprint, _value, salt=_salt)
    self.last = child
    log Created(child=child, kind=4)
    return child
