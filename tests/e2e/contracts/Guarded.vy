# pragma version ^0.4.0
# A @nonreentrant function: its lock lives in transient storage (TSTORE/TLOAD, Cancun).

interface Callback:
    def poke(): nonpayable

counter: public(uint256)


@external
@nonreentrant
def bump(_callback: address):
    self.counter += 1
    if _callback != empty(address):
        extcall Callback(_callback).poke()
