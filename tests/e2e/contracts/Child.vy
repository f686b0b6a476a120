# pragma version ^0.4.0
# What the factory makes: through a minimal proxy, as a copy, or from a blueprint.

value: public(uint256)
creator: public(address)


@deploy
def __init__(_value: uint256):
    self.value = _value
    self.creator = msg.sender


@external
def set_value(_value: uint256):
    self.value = _value
