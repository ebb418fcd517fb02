import RosterRPC
import RosterStore
import Testing

@testable import RosterService

/// The PERMISSION_DENIED message of a role check: which key was refused and which one is needed.
@Suite("Caller roles")
struct CallerTests {
    private func refusal(_ role: APIKeyRole, _ roles: Set<APIKeyRole>, to action: String) -> String? {
        let caller = Caller(tenantID: "t", role: role, keyID: "k", label: "")
        do {
            try caller.require(roles, to: action)
            return nil
        } catch {
            #expect(error.code == .permissionDenied)
            return error.message
        }
    }

    @Test func aReaderRefusedASyncIsToldAnEditorOrAdminKeyIsNeeded() {
        #expect(
            refusal(.reader, [.admin, .editor], to: "start a sync")
                == "a reader key may not start a sync; this needs an editor or admin key of the tenant"
        )
    }

    @Test func articlesFollowTheRole() {
        #expect(
            refusal(.editor, [.admin], to: "connect the directory")
                == "an editor key may not connect the directory; this needs an admin key of the tenant"
        )
        #expect(
            refusal(.admin, [.reader], to: "read") == "an admin key may not read; this needs a reader key of the tenant"
        )
        #expect(refusal(.editor, [.admin, .editor], to: "start a sync") == nil)
    }
}
