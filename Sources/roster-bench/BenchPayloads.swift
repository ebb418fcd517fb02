import RosterBenchMessages
import RosterWire

/// The peer workload's messages (BENCHMARKS.md, "The workload"; proto/bench.proto), byte for byte.
enum BenchPayloads {
    static let jobID: [UInt8] = [
        0x3f, 0x25, 0x04, 0xe0, 0x4f, 0x89, 0x11, 0xd3, 0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01,
    ]

    static let listGroupsRequest: PeerBench.ListGroupsRequest = {
        var request = PeerBench.ListGroupsRequest()
        request.query = "uk"
        request.limit = 10
        request.kind = "team"
        return request
    }()

    static let listGroupsResponse: PeerBench.ListGroupsResponse = {
        var response = PeerBench.ListGroupsResponse()
        response.groups = (0..<10).map { i in
            var group = PeerBench.Group()
            group.id = "3f2504e0-4f89-11d3-9a0c-0305e82c330\(i)"
            group.displayName = "Group 0\(i)"
            group.mail = "g0\(i)@x.uk"
            return group
        }
        return response
    }()

    static func watchProgressRequest(count: UInt32) -> PeerBench.WatchProgressRequest {
        var request = PeerBench.WatchProgressRequest()
        request.jobID = jobID
        request.count = count
        request.client = "grpc-swift-peer"
        return request
    }

    static let progressUpdate: PeerBench.ProgressUpdate = {
        var update = PeerBench.ProgressUpdate()
        update.jobID = jobID
        update.percent = 50
        update.stage = "copying objects to destination tier"
        return update
    }()

    /// Stops at start-up if a payload is not the workload's size.
    static func checkSizes() {
        precondition(listGroupsRequest.encodedSize == 12, "ListGroups request must be 12 bytes")
        precondition(listGroupsResponse.encodedSize == 600, "ListGroups response must be 600 bytes")
        precondition(watchProgressRequest(count: 1_000_000).encodedSize == 40, "WatchProgress request must be 40 bytes")
        precondition(progressUpdate.encodedSize == 60, "ProgressUpdate must be 60 bytes")
    }
}
