import QuorateEVMRunner
print("quorate-evm: statetest and bench are being written (default fork \(RunnerInfo.defaultFork))")
