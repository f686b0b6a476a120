print("quorate-wallet")
