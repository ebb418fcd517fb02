import ChildProcesses
import Foundation
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// `rosterd serve --log-format`, `ROSTERD_LOG_FORMAT` and `logFormat`, against the built binary.
@Suite("End to end: log format", .serialized, .timeLimit(.minutes(10)))
struct LogFormatTests {
    /// `rosterd serve` with `arguments` and `environment`, expected to refuse its configuration
    /// (one that accepts it is killed once it listens, so the test fails rather than hangs).
    static func refused(_ arguments: [String], environment: [String: String] = [:]) async throws
        -> ChildProcess.Outcome
    {
        let dataDirectory = NSTemporaryDirectory() + "rosterd-logformat-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ROSTERD_") }
        merged.merge(environment) { $1 }
        return try await ChildProcess(
            try RosterdProcess.binaryPath(),
            ["serve", "--data-dir", dataDirectory, "--listen", "127.0.0.1:0"] + arguments,
            environment: merged,
            mergingErrors: true
        ).run(killWhenOutputContains: "rosterd listening")
    }

    @Test("an unknown log format is a configuration error (exit 64) from the flag, the environment or the file")
    func unknownFormat() async throws {
        let flag = try await Self.refused(["--log-format", "xml"])
        #expect(flag.status == 64, "\(flag.outputText)")
        #expect(flag.outputText.contains("log format xml is not one of text, json"), "\(flag.outputText)")

        let environment = try await Self.refused([], environment: ["ROSTERD_LOG_FORMAT": "yaml"])
        #expect(environment.status == 64, "\(environment.outputText)")
        #expect(environment.outputText.contains("log format yaml is not one of text, json"))

        let file = NSTemporaryDirectory() + "rosterd-logformat-" + UUID().uuidString + ".json"
        try Data(#"{"logFormat": "logfmt"}"#.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let configured = try await Self.refused(["--config", file])
        #expect(configured.status == 64, "\(configured.outputText)")
        #expect(configured.outputText.contains("log format logfmt is not one of text, json"))

        // The flag wins over the environment, which wins over the file.
        let overridden = try await Self.refused(
            ["--config", file, "--log-format", "json", "--plaintext", "--tls-cert", "x"],
            environment: ["ROSTERD_LOG_FORMAT": "yaml"]
        )
        #expect(overridden.status == 64)
        #expect(!overridden.outputText.contains("log format"), "\(overridden.outputText)")
        #expect(overridden.outputText.contains("plaintext and a TLS certificate"), "\(overridden.outputText)")
    }

    @Test("--log-format json: every log line is a JSON object; a failed call's line carries its request id")
    func jsonLines() async throws {
        let server = try RosterdProcess(extraArguments: ["--log-format", "json", "--log-level", "trace"])
        try FileManager.default.createDirectory(atPath: server.dataDirectory, withIntermediateDirectories: true)
        try await server.start()
        let client = try server.client(key: nil)
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.connection().unary(
                RosterMethods.getStatus.path,
                request: GetStatusRequest(),
                response: GetStatusResponse.self,
                metadata: ["x-request-id": "e2e-request-1"],
                timeout: nil
            )
        }
        #expect(error?.code == .unauthenticated)
        #expect(error?.requestID == "e2e-request-1")
        await client.close()
        #expect(await server.terminate() == 0)

        let log = try String(contentsOfFile: server.logPath, encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count > 2)
        var objects: [[String: Any]] = []
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let object { objects.append(object) }
        }
        #expect(objects.allSatisfy { $0["time"] is String && $0["level"] is String && $0["message"] is String })
        let ended = objects.first { $0["message"] as? String == "call ended" }
        #expect(ended?["rpc.request_id"] as? String == "e2e-request-1", "\(log)")
        #expect(ended?["rpc.code"] as? String == "UNAUTHENTICATED")
        #expect(ended?["level"] as? String == "trace")
        #expect(ended?["label"] as? String == "rosterd")
    }
}
