print("quorate-bench")
