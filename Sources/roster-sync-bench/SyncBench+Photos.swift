import Foundation
import GraphTestDouble
import RosterClient
import RosterWire

// Part `photos` of the bench: contact photos.
extension SyncBench {
    /// `photoUsers` users, each with a photo of `photoBytes` bytes, served by the Graph double:
    /// a first full sync with photos (one metadata request per contact, one `$value` each), then a
    /// sync after `photoChanged` photos changed (every metadata again, since delta does not report
    /// photos, and exactly the changed `$value`s), beside the same full sync with photos off.
    /// Requests made and wall time per run; medians over `runs`.
    func photosPart() async throws {
        log("generating \(photoUsers) users with photos of \(photoBytes) bytes…")
        var directory = GraphDoubleDirectory.generated(userCount: photoUsers)
        for index in directory.users.indices {
            directory.users[index]["accountEnabled"] = true
            directory.users[index]["userType"] = "Member"
        }
        // One storage shared by every photo (the double never copies it); each has its own etag.
        directory.addPhotos(
            userIDs: (0..<photoUsers).map(GraphDoubleDirectory.userID),
            bytes: (0..<photoBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) },
            etagPrefix: "bench"
        )
        let double = GraphDouble(directory: directory)
        try await double.start()
        defer { Task { try? await double.stop() } }

        struct Run {
            var firstSeconds: Double
            var firstMetadata: Int
            var firstValues: Int
            var firstOther: Int
            var laterSeconds: Double
            var laterMetadata: Int
            var laterValues: Int
            var laterOther: Int
            var offSeconds: Double
            var offRequests: Int
        }
        var results: [Run] = []
        let step = max(1, photoUsers / max(1, photoChanged))
        for run in 1...runs {
            // Photos off: the contacts alone, for comparison.
            let (offServer, offKey) = try freshServer()
            let offClient = try offServer.client(key: offKey)
            _ = try await offClient.connectDirectory(connectRequest(double))
            try await photosOff(offClient)
            log("photos run \(run): full sync of \(photoUsers) with photos off…")
            var mark = double.requests.count
            let off = try await timedSync(offClient, allUsersSync())
            let offRequests = double.requests.dropFirst(mark).filter { $0.path.hasPrefix("/v1.0/") }.count
            await offClient.close()
            offServer.stop()

            let (server, key) = try freshServer()
            let client = try server.client(key: key)
            _ = try await client.connectDirectory(connectRequest(double))
            log("photos run \(run): full sync of \(photoUsers) with photos…")
            mark = double.requests.count
            let first = try await timedSync(client, allUsersSync())
            let firstCounts = Self.photoCounts(double.requests.dropFirst(mark))
            guard first.final.summary?.text.contains("\(grouped(photoUsers)) new or changed") == true else {
                throw BenchError("first photo sync: \(first.final.summary?.text ?? "no summary")")
            }

            for k in 0..<photoChanged {
                double.setPhoto(
                    userID: GraphDoubleDirectory.userID(k * step),
                    bytes: Array(repeating: UInt8(truncatingIfNeeded: run &+ k), count: photoBytes)
                )
            }
            log("photos run \(run): sync after \(photoChanged) photos changed…")
            mark = double.requests.count
            let later = try await timedSync(client, allUsersSync())
            let laterCounts = Self.photoCounts(double.requests.dropFirst(mark))
            guard laterCounts.values == photoChanged else {
                throw BenchError("later photo sync downloaded \(laterCounts.values) photos, not \(photoChanged)")
            }
            await client.close()
            server.stop()
            let result = Run(
                firstSeconds: first.seconds,
                firstMetadata: firstCounts.metadata,
                firstValues: firstCounts.values,
                firstOther: firstCounts.other,
                laterSeconds: later.seconds,
                laterMetadata: laterCounts.metadata,
                laterValues: laterCounts.values,
                laterOther: laterCounts.other,
                offSeconds: off.seconds,
                offRequests: offRequests
            )
            log(
                "photos run \(run): first_s=\(f(result.firstSeconds)) later_s=\(f(result.laterSeconds)) "
                    + "off_s=\(f(result.offSeconds)) first=\(firstCounts) later=\(laterCounts)"
            )
            results.append(result)
        }

        print("### Photos: \(grouped(photoUsers)) users with photos of \(grouped(photoBytes)) bytes (\(runs) runs)")
        print("")
        print("Graph requests (token requests aside), run 1:")
        print("")
        print("| sync | photo metadata | photo $value | other Graph requests |")
        print("| --- | --- | --- | --- |")
        let one = results[0]
        print("| first, photos on | \(grouped(one.firstMetadata)) | \(grouped(one.firstValues)) | \(one.firstOther) |")
        print(
            "| after \(grouped(photoChanged)) photos changed (delta) | \(grouped(one.laterMetadata)) | \(grouped(one.laterValues)) | \(one.laterOther) |"
        )
        print("| full, photos off | 0 | 0 | \(one.offRequests) |")
        print("")
        print("| measure | median (min–max) s |")
        print("| --- | --- |")
        print("| first full sync with photos: StartSync → final message | \(summary(results.map(\.firstSeconds))) |")
        print(
            "| sync after \(grouped(photoChanged)) photos changed: StartSync → final message | \(summary(results.map(\.laterSeconds))) |"
        )
        print("| the same full sync with photos off | \(summary(results.map(\.offSeconds))) |")
        print("")
    }

    /// Photo metadata requests, `$value` requests and other Graph requests among `requests`.
    static func photoCounts(_ requests: ArraySlice<GraphDouble.RecordedRequest>) -> (
        metadata: Int, values: Int, other: Int
    ) {
        var counts = (metadata: 0, values: 0, other: 0)
        for request in requests where request.path.hasPrefix("/v1.0/") {
            switch GraphDouble.photoRequest(path: request.path) {
            case let photo? where photo.value: counts.values += 1
            case .some: counts.metadata += 1
            case nil: counts.other += 1
            }
        }
        return counts
    }
}
