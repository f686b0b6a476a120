print("quorate-sim")
