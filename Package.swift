// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Quorate",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "quorate-node", targets: ["quorate-node"]),
        .executable(name: "quorate-wallet", targets: ["quorate-wallet"]),
        .executable(name: "quorate-sim", targets: ["quorate-sim"]),
        .executable(name: "quorate-bench", targets: ["quorate-bench"]),
        .executable(name: "quorate-evm", targets: ["quorate-evm"]),
    ],
    targets: [
        // C libraries from Debian, one system-library target each.
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLevelDB", providers: [.apt(["libleveldb-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibEvent", pkgConfig: "libevent",
                       providers: [.apt(["libevent-dev"])]),

        // The core: no I/O.
        .target(name: "QuorateCrypto", dependencies: ["CSecp256k1", "COpenSSL"]),
        .target(name: "QuorateCore", dependencies: ["QuorateCrypto"]),
        .target(name: "QuorateEVM", dependencies: ["QuorateCore", "QuorateCrypto"]),
        .target(name: "QuorateState", dependencies: ["QuorateCore", "QuorateCrypto", "QuorateEVM"]),
        .target(name: "QuorateConsensus", dependencies: ["QuorateCore", "QuorateCrypto"]),

        // I/O.
        .target(name: "QuorateStorage", dependencies: ["CLevelDB", "QuorateCore", "QuorateState"]),
        .target(name: "QuorateP2P", dependencies: ["QuorateCore", "QuorateCrypto"]),
        .target(name: "QuorateRPC", dependencies: ["CLibEvent", "QuorateCore"]),
        // What the executables share: command lines, password sources, key files, amounts, the log.
        .target(name: "QuorateCLI", dependencies: ["QuorateCore", "QuorateCrypto", "QuorateRPC"]),
        .target(name: "QuorateNode", dependencies: [
            "QuorateCLI", "QuorateCore", "QuorateCrypto", "QuorateState", "QuorateConsensus", "QuorateStorage", "QuorateRPC", "QuorateP2P",
            "QuorateEVM",
        ]),

        // The consensus simulator (empty blocks) and, on top, the whole-node simulator; both
        // carry out each Ready through the node's ReadyExecutor.
        .target(name: "QuorateSim", dependencies: ["QuorateConsensus", "QuorateCore", "QuorateCrypto", "QuorateNode"]),
        .target(name: "QuorateNodeSim", dependencies: ["QuorateSim", "QuorateNode", "QuorateState", "QuorateStorage",
                                                       "QuorateConsensus", "QuorateCore", "QuorateCrypto"]),
        .executableTarget(name: "quorate-sim", dependencies: ["QuorateSim", "QuorateNodeSim"]),
        // The conformance runner (ethereum/tests state tests) and the EVM benchmark.
        .target(name: "QuorateEVMRunner", dependencies: ["QuorateEVM", "QuorateCore", "QuorateCrypto"]),
        .executableTarget(name: "quorate-evm", dependencies: ["QuorateEVMRunner"]),
        .executableTarget(name: "quorate-bench", dependencies: ["QuorateCLI", "QuorateCore", "QuorateCrypto", "QuorateRPC"]),
        .executableTarget(name: "quorate-node", dependencies: ["QuorateNode", "QuorateCLI"]),
        .executableTarget(name: "quorate-wallet", dependencies: ["QuorateCLI", "QuorateCore", "QuorateCrypto", "QuorateRPC"]),

        .testTarget(name: "QuorateCryptoTests", dependencies: ["QuorateCrypto"]),
        .testTarget(name: "QuorateCoreTests", dependencies: ["QuorateCore"]),
        .testTarget(name: "QuorateStateTests", dependencies: ["QuorateState", "QuorateEVM"]),
        .testTarget(name: "QuorateConsensusTests", dependencies: ["QuorateConsensus"]),
        .testTarget(name: "QuorateEVMTests", dependencies: ["QuorateEVM"]),
        .testTarget(name: "QuorateEVMRunnerTests", dependencies: ["QuorateEVMRunner"]),
        .testTarget(name: "QuorateSimTests", dependencies: ["QuorateSim"]),
        .testTarget(name: "QuorateNodeSimTests", dependencies: ["QuorateNodeSim", "QuorateSim"]),
        .testTarget(name: "QuorateStorageTests", dependencies: ["QuorateStorage"]),
        .testTarget(name: "QuorateP2PTests", dependencies: ["QuorateP2P"]),
        .testTarget(name: "QuorateRPCTests", dependencies: ["QuorateRPC"]),
        .testTarget(name: "QuorateCLITests", dependencies: ["QuorateCLI"]),
        .testTarget(name: "QuorateNodeTests", dependencies: ["QuorateNode", "QuorateCLI"]),
    ]
)

// Helpers the test targets share (expectError, keys, the test genesis, hex, a seeded generator):
// a library only test targets depend on, every one of them.
package.targets.append(.target(name: "QuorateTestSupport", dependencies: ["QuorateCore", "QuorateCrypto"]))
for target in package.targets where target.type == .test {
    target.dependencies.append("QuorateTestSupport")
}
