import Testing
@testable import QuorateRPC
