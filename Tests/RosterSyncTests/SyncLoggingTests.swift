import Logging
import RecordingLogs
import RosterStore
import RosterSync
import Synchronization
import Testing

/// What the sync engine and the store log: each job's start and end at info, an apply at debug,
/// the schema's migrations at notice, each with the tenant and job.
@Suite("Sync and store logging")
struct SyncLoggingTests {
    @Test("a sync logs its start and end at info, with tenant, job, state and counts; its apply at debug")
    func jobLines() async throws {
        let log = RecordingLogHandler(level: .debug)
        let fixture = try await SyncFixture.make(logger: .recording(log))
        let job = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers)).job
        await fixture.manager.waitForActiveJob(tenant: SyncFixture.tenant)

        let migrated = log.lines.first { $0.message == "database schema migrated" }
        #expect(migrated?.level == .notice)
        #expect(migrated?.metadata[StoreLogKey.migrations.rawValue] != nil)

        let started = log.lines.first { $0.message == "sync job started" }
        #expect(started?.level == .info)
        #expect(started?.metadata[SyncLogKey.job.rawValue] == "\(job.id)")
        #expect(started?.metadata[SyncLogKey.tenant.rawValue] == "\(SyncFixture.tenant)")

        let applied = log.lines.first { $0.message == "apply committed" }
        #expect(applied?.level == .debug)
        #expect(applied?.metadata[StoreLogKey.job.rawValue] == "\(job.id)")

        let ended = log.lines.first { $0.message == "sync job ended" }
        #expect(ended?.level == .info)
        #expect(ended?.metadata[SyncLogKey.state.rawValue] == "\(JobState.succeeded)")
        let counts = ended?.metadata[SyncLogKey.counts.rawValue].map { "\($0)" } ?? ""
        #expect(counts.hasPrefix("added ") && !counts.hasPrefix("added 0,"), "\(counts)")
        await fixture.store.close()
    }

    @Test("a job that changed contacts tells onContactsChanged its tenant; a job that changed nothing does not")
    func contactsChangedHook() async throws {
        let told = Mutex<[String]>([])
        let fixture = try await SyncFixture.make(onContactsChanged: { tenant in told.withLock { $0.append(tenant) } })
        _ = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
        await fixture.manager.waitForActiveJob(tenant: SyncFixture.tenant)
        #expect(told.withLock { $0 } == [SyncFixture.tenant])
        _ = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
        await fixture.manager.waitForActiveJob(tenant: SyncFixture.tenant)
        #expect(told.withLock { $0 } == [SyncFixture.tenant], "the second run changed nothing")
        await fixture.store.close()
    }
}
