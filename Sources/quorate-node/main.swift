print("quorate-node")
