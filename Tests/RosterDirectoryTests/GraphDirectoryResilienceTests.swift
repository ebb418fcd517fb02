import GraphTestDouble
import RosterDirectory
import Testing

@Suite("GraphDirectory retries, throttling and tokens against the Graph double")
struct GraphDirectoryResilienceTests {
    @Test("429 with Retry-After: 7 waits exactly 7 s, reports the wait, then the listing completes")
    func retryAfterIsHonoured() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(1_500)) { harness in
            harness.double.inject([.throttle(retryAfter: 7)], pathPrefix: "/v1.0/users")
            let users = try await harness.directory.users().collect().flatMap(\.items)
            #expect(users.count == 1_500)
            #expect(harness.recorder.sleeps == [.seconds(7)])
            #expect(
                harness.recorder.throttles == [
                    .init(duration: .seconds(7), status: 429, fromRetryAfter: true, attempt: 1)
                ]
            )
            #expect(harness.graphRequests("/v1.0/users").count == 3, "the throttled first page was asked twice")
        }
    }

    @Test("repeated 429s with growing Retry-After are each waited exactly")
    func growingRetryAfter() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            harness.double.inject([.throttle(retryAfter: 41), .throttle(retryAfter: 315)])
            _ = try await harness.directory.users().collect()
            #expect(harness.recorder.sleeps == [.seconds(41), .seconds(315)])
        }
    }

    @Test("429 with Retry-After as an HTTP date waits until that time")
    func retryAfterDate() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            // The wait is recorded, not slept: 300 s leaves room for a loaded machine's delays.
            harness.double.inject([.throttleUntil(secondsFromNow: 300)], pathPrefix: "/v1.0/users")
            _ = try await harness.directory.users().collect()
            let sleeps = harness.recorder.sleeps
            #expect(sleeps.count == 1)
            // The date has whole seconds, and time passes between writing and reading it.
            #expect(sleeps.allSatisfy { $0 > .seconds(200) && $0 <= .seconds(300) }, "\(sleeps)")
            #expect(harness.recorder.throttles.first?.fromRetryAfter == true)
        }
    }

    @Test("503 with Retry-After is waited exactly; 503 and 504 without it back off with jitter below the cap")
    func serviceUnavailable() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            harness.double.inject([
                .serviceUnavailable(retryAfter: 3), .serviceUnavailable(retryAfter: nil), .gatewayTimeout,
            ])
            let users = try await harness.directory.users().collect().flatMap(\.items)
            #expect(users.count == 10)
            let sleeps = harness.recorder.sleeps
            #expect(sleeps.count == 3)
            #expect(sleeps.first == .seconds(3))
            #expect(sleeps[1] >= .zero && sleeps[1] <= .seconds(2), "attempt 2: jitter within base·2")
            #expect(sleeps[2] >= .zero && sleeps[2] <= .seconds(4), "attempt 3: jitter within base·4")
            #expect(harness.recorder.throttles.map(\.status) == [503, 503, 504])
        }
    }

    @Test("a 500 is retried with backoff and is not reported as throttling")
    func internalErrorIsRetried() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            harness.double.inject([.internalError])
            let users = try await harness.directory.users().collect().flatMap(\.items)
            #expect(users.count == 10)
            #expect(harness.recorder.sleeps.count == 1)
            #expect(harness.recorder.throttles.isEmpty)
        }
    }

    @Test("retries are bounded: endless 429s end in a throttled error after maximumAttempts")
    func retriesAreBounded() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10), configure: { $0.maximumAttempts = 4 }) {
            harness in
            harness.double.inject(Array(repeating: .throttle(retryAfter: 1), count: 10))
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.users().collect()
            }
            #expect(error.code == .throttled)
            #expect(error.httpStatus == 429)
            #expect(error.requestID != nil)
            #expect(harness.recorder.sleeps == Array(repeating: .seconds(1), count: 3))
            #expect(harness.graphRequests().count == 4)
        }
    }

    @Test("a Retry-After beyond maximumRetryAfter fails at once as throttled instead of hanging")
    func retryAfterTooLong() async throws {
        try await GraphDoubleHarness.run(
            TestDirectories.generated(10),
            configure: { $0.maximumRetryAfter = .seconds(60) }
        ) { harness in
            harness.double.inject([.throttle(retryAfter: 3_600)])
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.users().collect()
            }
            #expect(error.code == .throttled)
            #expect(harness.recorder.sleeps.isEmpty)
        }
    }

    @Test("a dropped connection is retried and the listing completes")
    func droppedConnection() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(1_500)) { harness in
            harness.double.inject([.dropConnection], pathPrefix: "/v1.0/users")
            let pages = try await harness.directory.users().collect()
            #expect(pages.flatMap(\.items).count == 1_500)
            #expect(harness.recorder.sleeps.count == 1)
        }
    }

    @Test("an expired token (401 InvalidAuthenticationToken) is renewed once and the request succeeds")
    func expiredTokenIsRenewed() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(1_500)) { harness in
            try await harness.directory.verifyPermissions()
            harness.double.expireTokens()
            let pages = try await harness.directory.users().collect()
            #expect(pages.map(\.items.count) == [999, 501])
            let statuses = harness.graphRequests("/v1.0/users").map { $0.query["$skiptoken"] }
            #expect(statuses == [nil, nil, nil, "999"], "test read, refused first page, its retry, second page")
            #expect(harness.double.tokensIssued == 2)
            #expect(harness.recorder.sleeps.isEmpty, "a renewal needs no wait")
        }
    }

    @Test("a token with less than the renewal margin left is renewed before it is used")
    func tokenRenewedBeforeExpiry() async throws {
        var double = GraphDouble.Configuration()
        double.tokenLifetime = 120
        try await GraphDoubleHarness.run(TestDirectories.generated(2_500), double: double) { harness in
            _ = try await harness.directory.users().collect()
            #expect(harness.double.tokensIssued == 3, "a 120 s token is inside the 300 s margin: one per page")
        }
        try await GraphDoubleHarness.run(
            TestDirectories.generated(2_500),
            double: double,
            configure: { $0.tokenRenewalMargin = .seconds(60) }
        ) { harness in
            _ = try await harness.directory.users().collect()
            #expect(harness.double.tokensIssued == 1, "with a 60 s margin the token is reused")
        }
    }

    @Test("a wrong secret fails with authFailed carrying AADSTS7000215, and the secret is in no error text")
    func wrongSecret() async throws {
        let secret = "wrong-secret-5f2b"
        try await GraphDoubleHarness.run(TestDirectories.generated(10), secret: secret) { harness in
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.verifyPermissions()
            }
            #expect(error.code == .authFailed)
            #expect(error.directoryCode == "AADSTS7000215")
            #expect(error.httpStatus == 401)
            #expect(!error.description.contains(secret) && !error.message.contains(secret))
            #expect(error.message.contains("client secret"), "says what to check")
            let listing = try await #require(throws: DirectoryError.self) {
                try await harness.directory.users().collect()
            }
            #expect(listing.code == .authFailed)
        }
    }

    @Test("an unknown tenant or client id fails with authFailed and its AADSTS code")
    func unknownTenant() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10), configure: { $0.directoryTenantID = "other" }) {
            harness in
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.verifyPermissions()
            }
            #expect(error.code == .authFailed)
            #expect(error.directoryCode == "AADSTS90002")
        }
    }

    @Test(
        "an application the directory has not consented to: AADSTS700016 is consentMissing for a multi-tenant application and authFailed for a tenant's own"
    )
    func notConsented() async throws {
        var double = GraphDouble.Configuration()
        double.consented = false
        for multiTenant in [true, false] {
            try await GraphDoubleHarness.run(
                TestDirectories.generated(10),
                double: double,
                configure: { $0.isMultiTenantApplication = multiTenant }
            ) { harness in
                let error = try await #require(throws: DirectoryError.self) {
                    try await harness.directory.verifyPermissions()
                }
                #expect(error.code == (multiTenant ? .consentMissing : .authFailed))
                #expect(error.directoryCode == "AADSTS700016")
                if multiTenant { #expect(error.message.contains("admin consent")) }
            }
        }
    }

    @Test("the token endpoint's consent errors (AADSTS65001, 7000229, 90094) are consentMissing for any application")
    func consentErrors() async throws {
        for code in [65001, 7000229, 90094] {
            try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
                let body =
                    #"{"error":"invalid_grant","error_description":"AADSTS\#(code): consent needed.","error_codes":[\#(code)]}"#
                harness.double.inject([.rawBody(status: 400, body: body)], pathPrefix: "/double-tenant/oauth2")
                let error = try await #require(throws: DirectoryError.self) {
                    try await harness.directory.verifyPermissions()
                }
                #expect(error.code == .consentMissing)
                #expect(error.directoryCode == "AADSTS\(code)")
            }
        }
    }

    @Test("the client secret's description is redacted")
    func secretIsRedacted() {
        let configuration = GraphDirectory.Configuration(
            directoryTenantID: "t",
            clientID: "c",
            clientSecret: .init("s3cr3t")
        )
        #expect(!"\(configuration)".contains("s3cr3t"))
        #expect(!String(reflecting: configuration.clientSecret).contains("s3cr3t"))
    }

    @Test("verifyPermissions: the right roles pass after one test read")
    func verifyPermissionsPasses() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            try await harness.directory.verifyPermissions()
            let reads = harness.graphRequests()
            #expect(reads.count == 1)
            #expect(reads.first?.query["$top"] == "1")
        }
    }

    @Test("a token without a group permission: verifyPermissions says consentMissing naming what is missing")
    func missingGroupRole() async throws {
        var double = GraphDouble.Configuration()
        double.roles = ["User.Read.All"]
        try await GraphDoubleHarness.run(try TestDirectories.demo(), double: double) { harness in
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.verifyPermissions()
            }
            #expect(error.code == .consentMissing)
            #expect(error.message.contains("GroupMember.Read.All"))
            #expect(error.message.contains("admin consent"))
            #expect(harness.graphRequests().isEmpty, "no test read with a token that cannot do the job")

            let listing = try await #require(throws: DirectoryError.self) {
                try await harness.directory.mailEnabledSecurityGroups().collect()
            }
            #expect(listing.code == .consentMissing)
            #expect(listing.directoryCode == "Authorization_RequestDenied")
            #expect(listing.httpStatus == 403)
        }
    }

    @Test("a token without User.Read.All fails verifyPermissions with consentMissing")
    func missingUserRole() async throws {
        var double = GraphDouble.Configuration()
        double.roles = ["Group.Read.All"]
        try await GraphDoubleHarness.run(TestDirectories.generated(1), double: double) { harness in
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.verifyPermissions()
            }
            #expect(error.code == .consentMissing)
            #expect(error.message.contains("User.Read.All"))
        }
    }
}
