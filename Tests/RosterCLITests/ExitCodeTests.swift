import ArgumentParser
import RosterRPC
import RosterWire
import Testing

@testable import RosterCLI

/// Exit codes and the messages that go with failures.
@Suite struct ExitCodeTests {
    @Test func statusCodesMapToTenPlusCode() {
        #expect(RosterExitCode.forStatus(.unauthenticated).rawValue == 26)
        #expect(RosterExitCode.forStatus(.permissionDenied).rawValue == 17)
        #expect(RosterExitCode.forStatus(.failedPrecondition).rawValue == 19)
        #expect(RosterExitCode.forStatus(.unavailable).rawValue == 24)
        #expect(RosterExitCode.forStatus(.notFound).rawValue == 15)
    }

    @Test func jobStatesMapToTheirCodes() {
        #expect(RosterExitCode.forJobState(.succeeded) == .success)
        #expect(RosterExitCode.forJobState(.failed).rawValue == 3)
        #expect(RosterExitCode.forJobState(.cancelled).rawValue == 4)
        #expect(RosterExitCode.forJobState(.interrupted).rawValue == 5)
        #expect(RosterExitCode.forJobState(.running).rawValue == 1)
        #expect(RosterExitCode.usage == ExitCode.validationFailure)
        #expect(RosterExitCode.usage.rawValue == 64)
    }

    @Test func errorReportsNameTheNextStep() {
        let unavailable = ErrorReport(RPCError(.unavailable, "connection refused"), address: "10.1.2.3:7443")
        #expect(
            unavailable.textLines == [
                "error: connection refused",
                "hint: is rosterd running at 10.1.2.3:7443? check --address / ROSTER_ADDRESS (and --ca-file / ROSTER_CA_FILE for TLS)",
            ]
        )
        #expect(unavailable.exitCode.rawValue == 24)
        let unauthenticated = ErrorReport(RPCError(.unauthenticated, "unknown API key"), address: "")
        #expect(unauthenticated.textLines.last == "hint: check the API key: ROSTER_KEY / --key / --key-file")
        #expect(
            ErrorReport(
                RPCError(.permissionDenied, "editors cannot synchronize users within a group; ask an admin"),
                address: ""
            ).textLines.last
                == "hint: use a key with the role the message names (ROSTER_KEY / --key / --key-file); `rosterd keys create` mints one"
        )
        let precondition = ErrorReport(
            RPCError(.failedPrecondition, "the directory connection is not authorized; run ConnectDirectory"),
            address: ""
        )
        #expect(precondition.textLines == ["error: the directory connection is not authorized; run ConnectDirectory"])
        #expect(
            precondition.json.rendered
                == #"{"error":{"code":"FAILED_PRECONDITION","message":"the directory connection is not authorized; run ConnectDirectory","hint":"","exitCode":19}}"#
        )
    }

    @Test func errorReportsQuoteTheServersRequestID() {
        let failed = ErrorReport(
            RPCError(.internal, "the server failed", metadata: ["x-request-id": "abc-123"]),
            address: ""
        )
        #expect(failed.requestID == "abc-123")
        #expect(
            failed.textLines == [
                "error: the server failed", "hint: see the rosterd log for details", "request id: abc-123",
            ]
        )
        #expect(
            failed.json.rendered
                == #"{"error":{"code":"INTERNAL","message":"the server failed","hint":"see the rosterd log for details","exitCode":23,"requestId":"abc-123"}}"#
        )
    }

    @Test func aReaderRefusedASyncIsNotToldOnlyAnAdminWillDo() {
        let refused = ErrorReport(
            RPCError(
                .permissionDenied,
                "a reader key may not start a sync; this needs an editor or admin key of the tenant"
            ),
            address: ""
        )
        #expect(
            refused.textLines == [
                "error: a reader key may not start a sync; this needs an editor or admin key of the tenant",
                "hint: use a key with the role the message names (ROSTER_KEY / --key / --key-file); `rosterd keys create` mints one",
            ]
        )
        #expect(refused.exitCode.rawValue == 17)
    }

    @Test func removalWarningNamesTheGroup() {
        #expect(
            SyncCommand.removalWarning(1204, scope: .group(id: "g-uk", displayName: "UK Staff"))
                == "This sync will remove 1,204 contacts (people outside UK Staff will lose their data)."
        )
        #expect(
            SyncCommand.removalWarning(1, scope: .allUsers)
                == "This sync will remove 1 contact (people no longer among the directory's member accounts will lose their data)."
        )
    }
}
