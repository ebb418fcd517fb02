import Foundation
import GraphTestDouble
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// Keys, roles, the authorization precondition and tenant isolation, against a real rosterd over TLS.
@Suite("End to end: access", .serialized, .timeLimit(.minutes(10)))
struct AccessTests {
    @Test("a missing or wrong key is UNAUTHENTICATED; a revoked key stops working")
    func unauthenticated() async throws {
        try await Scenario.run { scenario in
            let anonymous = try scenario.client(nil)
            let error = await expectStatus(.unauthenticated) { _ = try await anonymous.getStatus() }
            #expect(error?.message.contains("authorization: Bearer") == true)
            let wrong = try scenario.client("rk_0000000000000000_notakey")
            await expectStatus(.unauthenticated) { _ = try await wrong.getStatus() }
            // Reflection too asks for a key (health alone answers without one).
            await expectStatus(.unauthenticated) { _ = try await anonymous.getFileDescriptorSet() }
            await expectStatus(.unauthenticated) { _ = try await wrong.getFileDescriptorSet() }
            let reader = try scenario.client(scenario.acme.reader)
            let status = try await reader.getStatus()
            #expect(status.tenantID == "acme")
            #expect(status.callerRole == .reader)

            let keyID = String(scenario.acme.reader.split(separator: "_")[1])
            let revoked = try await RosterdProcess.run([
                "keys", "revoke", "--tenant", "acme", keyID, "--data-dir", scenario.server.dataDirectory,
            ])
            #expect(revoked.contains("revoked"))
            // A running server trusts a looked-up key for at most 5 s.
            var refused: RPCError?
            for _ in 0..<40 where refused == nil {
                do {
                    _ = try await reader.getStatus()
                    try await Task.sleep(for: .milliseconds(250))
                } catch let error as RPCError {
                    refused = error
                }
            }
            #expect(refused?.code == .unauthenticated)
            let list = try await RosterdProcess.run([
                "keys", "list", "--tenant", "acme", "--data-dir", scenario.server.dataDirectory,
            ])
            #expect(list.contains("\(keyID)\treader\trevoked"))
        }
    }

    @Test("StartSync is FAILED_PRECONDITION until ConnectDirectory succeeds; only an admin connects")
    func authorizationPrecondition() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            let error = await expectStatus(.failedPrecondition) {
                _ = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            }
            #expect(error?.message.contains("the directory connection is not authorized; run ConnectDirectory") == true)

            let editor = try scenario.client(scenario.acme.editor)
            await expectStatus(.permissionDenied) { try await scenario.connect(editor) }

            let refused = await expectStatus(.failedPrecondition) { try await scenario.connect(admin, secret: "wrong") }
            #expect(refused?.message.contains("refused") == true)
            #expect(try await admin.getStatus().connectionState == .notConnected)

            let connected = try await scenario.connect(admin)
            #expect(connected.state == .authorized)
            #expect(connected.grantedPermissions == ["GroupMember.Read.All", "User.Read.All"])
            #expect(connected.groupsCached == 14)
            let status = try await admin.getStatus()
            #expect(status.connectionState == .authorized)
            #expect(status.groupsRefreshedUnixMs > 0)

            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .succeeded)

            // Debug-level logs of all that hold no secret: not the client secret, not a key.
            let log = try String(contentsOfFile: scenario.server.logPath, encoding: .utf8)
            #expect(log.contains("directory connected"))
            #expect(!log.contains("double-secret"))
            #expect(!log.contains(scenario.acme.admin))
            #expect(!log.contains(scenario.acme.editor))
        }
    }

    @Test("roles: an editor syncs all users but never a group; a reader reads but starts nothing")
    func roles() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let editor = try scenario.client(scenario.acme.editor)
            let denied = await expectStatus(.permissionDenied) {
                _ = try await editor.startSync(Scenario.request(Scenario.group(Scenario.ukStaff), acknowledge: true))
            }
            #expect(denied?.message == "editors cannot synchronize users within a group; ask an admin")
            await expectStatus(.permissionDenied) {
                var settings = UpdateSettingsRequest()
                settings.deletionThreshold = 5
                _ = try await editor.updateSettings(settings)
            }
            #expect(try await editor.listGroups(query: "uk s").groups.first?.displayName == "UK Sales")
            let final = try await scenario.sync(editor, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .succeeded)
            #expect(
                try await scenario.client(scenario.acme.reader).listSyncJobs().jobs.first?.startedBy == "editor of acme"
            )

            let reader = try scenario.client(scenario.acme.reader)
            await expectStatus(.permissionDenied) {
                _ = try await reader.startSync(Scenario.request(Scenario.allUsers()))
            }
            await expectStatus(.permissionDenied) { _ = try await reader.listGroups(query: "uk") }
            await expectStatus(.permissionDenied) { _ = try await reader.cancelSync() }
            #expect(try await reader.getStatus().contactCount > 900)
        }
    }

    @Test(
        "an editor cannot widen a group-scoped tenant back to all users: PERMISSION_DENIED naming the group, nothing changed"
    )
    func editorCannotWidenAGroupScope() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let grouped = try await scenario.sync(
                admin,
                Scenario.request(Scenario.group(Scenario.ukStaff), acknowledge: true)
            )
            #expect(grouped.state == .succeeded)
            let before = try await admin.getStatus()
            let editor = try scenario.client(scenario.acme.editor)
            let denied = await expectStatus(.permissionDenied) {
                _ = try await editor.startSync(Scenario.request(Scenario.allUsers()))
            }
            #expect(
                denied?.message.hasPrefix(
                    "editors cannot synchronize users within a group; ask an admin: this tenant keeps only the group \""
                ) == true,
                "\(denied?.message ?? "")"
            )
            let after = try await admin.getStatus()
            #expect(after.contactCount == before.contactCount)
            #expect(after.savedScope == before.savedScope)
            #expect(try await admin.listSyncJobs().jobs.count == 1)
        }
    }

    @Test("ConnectDirectory refuses endpoints outside the Microsoft clouds and the hosts the operator allows")
    func endpointPolicy() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            var request = ConnectDirectoryRequest()
            request.directoryTenantID = "double-tenant"
            request.clientID = "roster-app"
            request.clientSecret = "double-secret"
            request.graphBaseURL = "https://169.254.169.254"
            let refused = await expectStatus(.invalidArgument) { _ = try await admin.connectDirectory(request) }
            #expect(
                refused?.message.contains("rosterd serve --allow-directory-host 169.254.169.254") == true,
                "\(refused?.message ?? "")"
            )
            request.graphBaseURL = ""
            request.authorityURL = "https://user:pw@login.microsoftonline.com"
            await expectStatus(.invalidArgument) { _ = try await admin.connectDirectory(request) }
            // The double on 127.0.0.1 is a host this server's operator allowed.
            #expect(try await scenario.connect(admin).state == .authorized)
        }
    }

    @Test("a key of one tenant never reaches another tenant's contacts, jobs or progress")
    func tenantIsolation() async throws {
        try await Scenario.run { scenario in
            let acme = try scenario.client(scenario.acme.admin)
            try await scenario.connect(acme)
            let final = try await scenario.sync(acme, Scenario.request(Scenario.allUsers()))
            // One with a mail: the lookup by mail below must name someone acme has.
            let someone = try #require(
                try await acme.listContacts(ListContactsRequest()).contacts.first { !$0.mail.isEmpty }
            )
            #expect(try await acme.getContact(mail: someone.mail).id == someone.id)

            let beta = try scenario.client(scenario.beta.admin)
            let status = try await beta.getStatus()
            #expect(status.tenantID == "beta")
            #expect(status.contactCount == 0)
            #expect(status.connectionState == .notConnected)
            #expect(try await beta.listContacts(ListContactsRequest()).contacts.isEmpty)
            #expect(try await beta.listSyncJobs().jobs.isEmpty)
            await expectStatus(.notFound) { _ = try await beta.getContact(.id(someone.id)) }
            await expectStatus(.notFound) { _ = try await beta.getContact(.mail(someone.mail)) }
            await expectStatus(.notFound) { _ = try await beta.watchProgress(jobID: final.jobID).first { _ in true } }
            await expectStatus(.notFound) { _ = try await beta.cancelSync(jobID: final.jobID) }
            // beta is not connected: acme's credentials are not beta's.
            await expectStatus(.failedPrecondition) {
                _ = try await beta.startSync(Scenario.request(Scenario.allUsers()))
            }
            #expect(try await beta.listGroups(query: "uk").groups.isEmpty)
        }
    }

    @Test(
        "the role matrix: every roster.v1.Roster call and reflection's, for an admin, an editor and a reader key, is admitted or PERMISSION_DENIED as PROTOCOL.md's table says"
    )
    func roleMatrix() async throws {
        /// One call, made so that the role is all that is in question: an admitted role gets an
        /// answer or a refusal for another reason (no directory connected, nothing running,
        /// nothing found, a missing field) and nothing changes.
        struct Row {
            var call: String
            var admitted: Set<String>
            var invoke: (RosterClient) async throws -> Void
        }
        var groupScope = Scenario.request(Scenario.group(Scenario.ukStaff))
        groupScope.acknowledgeRemovals = true
        let everyone: Set<String> = ["admin", "editor", "reader"]
        let rows: [Row] = [
            Row(call: "ConnectDirectory", admitted: ["admin"]) {
                _ = try await $0.connectDirectory(ConnectDirectoryRequest())
            },
            Row(call: "GetStatus", admitted: everyone) { _ = try await $0.getStatus() },
            Row(call: "StartSync", admitted: ["admin", "editor"]) {
                _ = try await $0.startSync(Scenario.request(Scenario.allUsers()))
            },
            Row(call: "StartSync", admitted: ["admin"]) { _ = try await $0.startSync(groupScope) },
            Row(call: "CancelSync", admitted: ["admin", "editor"]) { _ = try await $0.cancelSync() },
            Row(call: "WatchProgress", admitted: everyone) { for try await _ in try await $0.watchProgress() {} },
            Row(call: "ListGroups", admitted: ["admin", "editor"]) { _ = try await $0.listGroups(query: "uk") },
            Row(call: "ListContacts", admitted: everyone) { _ = try await $0.listContacts(ListContactsRequest()) },
            Row(call: "GetContact", admitted: everyone) { _ = try await $0.getContact(.id("nobody")) },
            Row(call: "ListSyncJobs", admitted: everyone) { _ = try await $0.listSyncJobs() },
            Row(call: "UpdateSettings", admitted: ["admin"]) {
                _ = try await $0.updateSettings(UpdateSettingsRequest())
            },
            // No role: an admin gets INVALID_ARGUMENT and no key is made.
            Row(call: "CreateApiKey", admitted: ["admin"]) {
                _ = try await $0.createAPIKey(role: .unspecified, label: "x")
            },
            Row(call: "ListApiKeys", admitted: ["admin"]) { _ = try await $0.listAPIKeys() },
            Row(call: "RevokeApiKey", admitted: ["admin"]) { _ = try await $0.revokeAPIKey(id: "nobody") },
            Row(call: "GetContactPhoto", admitted: everyone) { _ = try await $0.contactPhoto(.id("nobody")) },
            Row(call: "ListContactChanges", admitted: everyone) { _ = try await $0.listContactChanges(after: 0) },
            // A negative cursor: an admitted role gets INVALID_ARGUMENT instead of a stream that waits.
            Row(call: "WatchContactChanges", admitted: everyone) {
                for try await _ in try await $0.watchContactChanges(after: -1) {}
            },
            // No such contact: an admin or editor gets NOT_FOUND and nothing is written.
            Row(call: "SetContactOverride", admitted: ["admin", "editor"]) {
                _ = try await $0.setContactOverride(contactID: "nobody", field: "job_title", .hidden(true))
            },
            Row(call: "ClearContactOverride", admitted: ["admin", "editor"]) {
                _ = try await $0.clearContactOverride(contactID: "nobody", field: "job_title")
            },
            // roster.reflection.v1.Reflection: any valid key.
            Row(call: "GetFileDescriptorSet", admitted: everyone) { _ = try await $0.getFileDescriptorSet() },
        ]
        #expect(
            Set(rows.map(\.call)) == Set((RosterMethods.all + ReflectionMethods.all).map(\.name)),
            "a call of the service has no row"
        )
        try await Scenario.run { scenario in
            let clients = [
                "admin": try scenario.client(scenario.acme.admin), "editor": try scenario.client(scenario.acme.editor),
                "reader": try scenario.client(scenario.acme.reader),
            ]
            for row in rows {
                for role in ["admin", "editor", "reader"] {
                    let client = try #require(clients[role])
                    var outcome: RPCError?
                    do {
                        try await row.invoke(client)
                    } catch let error as RPCError {
                        outcome = error
                    }
                    if row.admitted.contains(role) {
                        #expect(
                            outcome?.code != .permissionDenied && outcome?.code != .unauthenticated,
                            "\(row.call) as \(role): \(outcome.map { "\($0)" } ?? "OK")"
                        )
                    } else {
                        #expect(
                            outcome?.code == .permissionDenied,
                            "\(row.call) as \(role): \(outcome.map { "\($0)" } ?? "OK")"
                        )
                    }
                }
            }
            // Nothing the matrix did changed the tenant.
            let admin = try #require(clients["admin"])
            #expect(try await admin.getStatus().connectionState == .notConnected)
            #expect(try await admin.listSyncJobs().jobs.isEmpty)
        }
    }

    @Test(
        "without --allow-file-directories, ConnectDirectory refuses demo: and file:// Graph URLs and stays unconnected"
    )
    func fileDirectoriesOff() async throws {
        let server = try RosterdProcess(allowFileDirectories: false)
        let acme = try await server.addTenant("acme")
        try await server.start()
        let admin = try server.client(key: acme.admin)
        for url in ["demo:", "file:///etc/passwd"] {
            var request = ConnectDirectoryRequest()
            request.graphBaseURL = url
            do {
                let response = try await admin.connectDirectory(request)
                Issue.record("\(url) was accepted: \(response.state)")
            } catch let error as RPCError {
                #expect(error.message.contains("which this server does not allow"), "\(url): \(error)")
                #expect(error.message.contains("--allow-file-directories"), "\(url): \(error)")
                #expect(error.code == .failedPrecondition, "\(url): \(error)")
            }
        }
        #expect(try await admin.getStatus().connectionState != .authorized)
        await admin.close()
        #expect(await server.terminate() == 0)
    }
}
