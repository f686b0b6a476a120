# pragma version ^0.4.0
# Calls back into Guarded.bump while bump runs: the lock must refuse it.

interface Guarded:
    def bump(_callback: address): nonpayable

target: public(address)


@deploy
def __init__(_target: address):
    self.target = _target


@external
def poke():
    extcall Guarded(self.target).bump(self)
