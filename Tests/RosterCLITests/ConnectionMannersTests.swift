import ChildProcesses
import Foundation
import NIOCore
import RosterClient
import RosterRPC
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What `roster` says when a connection cannot succeed: a server certificate that did not verify
/// (not retried; OpenSSL's check named) and `--plaintext` against a TLS port. The TLS server is
/// `openssl s_server` with a self-signed certificate for "localhost" only, offering ALPN roster/1.
@Suite(.timeLimit(.minutes(10)))
struct ConnectionMannersTests {
    /// A running `openssl s_server`; ``stop()`` ends it.
    final class TLSServer: @unchecked Sendable {
        let process: SpawnedProcess
        let port: Int
        let certificatePath: String
        let directory: String

        init(process: SpawnedProcess, port: Int, certificatePath: String, directory: String) {
            self.process = process
            self.port = port
            self.certificatePath = certificatePath
            self.directory = directory
        }

        /// Kills the server; it is reaped on a thread of its own, so that this never blocks a test.
        func stop() {
            process.killInBackground()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Off the cooperative threads: starting waits for openssl and for the server's first line.
    static func startTLSServer() async throws -> TLSServer {
        try await onOwnThread { try startTLSServerBlocking() }
    }

    private static func startTLSServerBlocking() throws -> TLSServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "roster-cli-tls-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let make = try SpawnedProcess(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(directory)/key.pem", "-out", "\(directory)/cert.pem", "-days", "2", "-subj",
                "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            ]
        )
        try #require(
            make.wait()?.status == 0,
            "openssl could not make a test certificate: is the openssl CLI installed?"
        )

        // Standard input a pipe kept open: s_server ends at EOF on it.
        let server = try SpawnedProcess(
            "/usr/bin/env",
            [
                "openssl", "s_server", "-accept", "127.0.0.1:0", "-cert", "\(directory)/cert.pem", "-key",
                "\(directory)/key.pem", "-alpn", "roster/1",
            ],
            input: .pipe,
            output: .pipe
        )
        let output = server.output!
        // The first line names the port: "ACCEPT 127.0.0.1:PORT".
        var text = ""
        while !text.contains("\n") || !text.contains("ACCEPT") {
            let data = output.readChunk()
            guard !data.isEmpty else { break }
            text += String(decoding: data, as: UTF8.self)
        }
        // Keep reading so that s_server never blocks on a full pipe.
        Thread { _ = output.readUntilEnd() }.start()
        let line = text.split(separator: "\n").first { $0.hasPrefix("ACCEPT") } ?? ""
        guard let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
        else {
            server.killInBackground()
            throw RPCError(.internal, "openssl s_server did not say its port: \(text)")
        }
        return TLSServer(process: server, port: port, certificatePath: "\(directory)/cert.pem", directory: directory)
    }

    /// Runs `roster ARGUMENTS` with `environment` (plus a key and TERM=dumb).
    static func roster(_ arguments: [String], environment: [String: String]) async throws -> BinaryRunTests.Run {
        try await BinaryRunTests.run(
            arguments,
            environment: environment.merging(["ROSTER_KEY": "test-key", "TERM": "dumb"]) { mine, _ in mine }
        )
    }

    @Test func aCertificateThatDoesNotVerifyIsNotRetried() async throws {
        let server = try await Self.startTLSServer()
        defer { server.stop() }
        var configuration = RosterClientConfiguration(host: "127.0.0.1", port: server.port, security: .tls)
        configuration.backoff.initial = .milliseconds(10)
        configuration.backoff.jitter = 0
        configuration.backoff.maxAttempts = 3
        let client = try RosterClient(configuration: configuration)
        let error = await #expect(throws: RPCError.self) { _ = try await client.connection() }
        // Retried failures end "… (after 3 attempts)" and carry no connection problem.
        #expect(error?.message.contains("attempts") == false)
        #expect(error?.code == .unavailable)
        #expect(
            error?.connectionProblem == .certificateRejected(reason: "self-signed certificate", serverName: "127.0.0.1")
        )
        #expect(
            error?.message
                == "cannot trust the server at 127.0.0.1:\(server.port) because its certificate did not verify: self-signed certificate"
        )
        await client.close()
    }

    @Test func rosterNamesTheCheckThatFailedAndWhatToDo() async throws {
        let server = try await Self.startTLSServer()
        defer { server.stop() }
        let address = "127.0.0.1:\(server.port)"

        let untrusted = try await Self.roster(["status"], environment: ["ROSTER_ADDRESS": address])
        #expect(untrusted.status == 24)
        #expect(
            untrusted.errors == [
                "error: cannot trust the server at \(address) because its certificate did not verify: self-signed certificate",
                "hint: trust the server's certificate: pass the file rosterd names at start (its tls-cert.pem, or the CA that issued its certificate) with --ca-file / ROSTER_CA_FILE",
            ]
        )

        // Trusted now, but issued for "localhost" only.
        let wrongName = try await Self.roster(
            ["status", "--json"],
            environment: ["ROSTER_ADDRESS": address, "ROSTER_CA_FILE": server.certificatePath]
        )
        #expect(wrongName.status == 24)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data((wrongName.errors.first ?? "").utf8)) as? [String: Any]
        )
        let error = try #require(object["error"] as? [String: Any])
        #expect(
            error["message"] as? String
                == "cannot trust the server at \(address) because its certificate did not verify: IP address mismatch"
        )
        #expect(
            error["hint"] as? String
                == "the certificate is not issued for 127.0.0.1: use a name it lists in --address / ROSTER_ADDRESS, or give rosterd a certificate for 127.0.0.1"
        )
    }

    @Test func plaintextAgainstATLSPortSaysTheServerSpeaksTLS() async throws {
        let server = try await Self.startTLSServer()
        defer { server.stop() }
        let address = "127.0.0.1:\(server.port)"
        let run = try await Self.roster(["status", "--plaintext"], environment: ["ROSTER_ADDRESS": address])
        #expect(run.status == 24)
        #expect(
            run.errors == [
                "error: the server at \(address) probably speaks TLS; drop --plaintext",
                "hint: if its certificate is self-signed, trust it with --ca-file / ROSTER_CA_FILE",
            ]
        )
    }

    @Test func aPlaintextServerThatHangsUpIsNotTakenForTLS() async throws {
        let listener = try HangingUpListener()
        defer { listener.stop() }
        let run = try await Self.roster(
            ["status", "--plaintext"],
            environment: ["ROSTER_ADDRESS": "127.0.0.1:\(listener.port)"]
        )
        #expect(run.status == 24)
        #expect(run.errors.first?.hasPrefix("error: UNAVAILABLE: ") == true, "\(run.errors)")
        #expect(run.errors.first?.hasSuffix("(after 4 attempts)") == true, "\(run.errors)")
        #expect(!run.errors.joined().contains("speaks TLS"), "\(run.errors)")
    }
}

/// A TCP listener on loopback that closes every connection it accepts without a byte.
final class HangingUpListener: @unchecked Sendable {
    let port: Int
    private let socket: Int32
    private let thread: Thread

    init() throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && listen(descriptor, 16) == 0
                    && getsockname(descriptor, address, &length) == 0
            }
        }
        guard descriptor >= 0, bound else { throw RPCError(.internal, "cannot listen on loopback: errno \(errno)") }
        socket = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        thread = Thread {
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else { return }
                close(connection)
            }
        }
        thread.start()
    }

    func stop() {
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }
}
