import ChildProcesses
import Dispatch
import Foundation
import RosterStore
import Testing

@Suite("ConnectionPool")
struct ConnectionPoolTests {
    static func makePool() throws -> (ConnectionPool, String) {
        let directory = try makeTemporaryDirectory()
        var migrator = Migrator()
        migrator.register("numbers", sql: "CREATE TABLE numbers (n INTEGER NOT NULL)")
        return (
            try ConnectionPool(configuration: .init(path: directory + "/pool.sqlite"), migrator: migrator), directory
        )
    }

    @Test("a reader keeps its snapshot while a write commits, and the next read sees the write")
    func snapshotIsolation() async throws {
        let (pool, directory) = try Self.makePool()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await pool.write { connection throws(StoreError) in try connection.execute("INSERT INTO numbers VALUES (1)")
        }
        let readerHasRead = DispatchSemaphore(value: 0)
        let writerDone = DispatchSemaphore(value: 0)
        async let counts: (Int, Int) = pool.read { connection throws(StoreError) in
            func count() throws(StoreError) -> Int {
                let statement = try connection.cached("SELECT count(*) FROM numbers")
                try statement.step()
                return statement.int(0)
            }
            let before = try count()
            readerHasRead.signal()
            writerDone.wait()
            return (before, try count())
        }
        try await onOwnThread { readerHasRead.wait() }
        try await pool.write { connection throws(StoreError) in try connection.execute("INSERT INTO numbers VALUES (2)")
        }
        writerDone.signal()
        let (before, during) = try await counts
        #expect(before == 1)
        #expect(during == 1)
        let after = try await pool.read { connection throws(StoreError) in
            let statement = try connection.cached("SELECT count(*) FROM numbers")
            try statement.step()
            return statement.int(0)
        }
        #expect(after == 2)
        await pool.close()
    }

    @Test("a read completes while the writer is busy and more writes than the store has threads wait for it")
    func readsNotStarvedByWrites() async throws {
        let (pool, directory) = try Self.makePool()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func count() async throws -> Int {
            try await pool.read { connection throws(StoreError) in
                let statement = try connection.cached("SELECT count(*) FROM numbers")
                try statement.step()
                return statement.int(0)
            }
        }
        // The writer is busy until `release`: like a large apply.
        let writerBusy = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let busyWrite = Task {
            try await pool.write { connection throws(StoreError) in
                writerBusy.signal()
                release.wait()
                try connection.execute("INSERT INTO numbers VALUES (0)")
            }
        }
        try await onOwnThread { writerBusy.wait() }
        // More writes in line than the pool has threads (4 by default): staging pages, job records.
        let queued = 8
        let writes = (1...queued).map { number in
            Task {
                try await pool.write { connection throws(StoreError) in
                    try connection.execute("INSERT INTO numbers VALUES (\(number))")
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(120)
        while pool.writesInLine < queued + 1, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(pool.writesInLine == queued + 1)

        let readDone = DispatchSemaphore(value: 0)
        let read = Task {
            defer { readDone.signal() }
            return try await count()
        }
        let readFinishedWhileWritesWaited = try await onOwnThread { readDone.wait(timeout: .now() + 30) == .success }
        release.signal()
        #expect(readFinishedWhileWritesWaited, "the read waited for the writes: they took every thread of the store")
        #expect(try await read.value == 0)
        try await busyWrite.value
        for write in writes { try await write.value }
        #expect(try await count() == queued + 1)
        await pool.close()
    }

    @Test("a write that throws is rolled back entirely")
    func rollback() async throws {
        let (pool, directory) = try Self.makePool()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        await #expect(throws: StoreError.self) {
            try await pool.write { connection throws(StoreError) in
                try connection.execute("INSERT INTO numbers VALUES (1)")
                try connection.execute("INSERT INTO numbers VALUES (NULL)")
            }
        }
        let count = try await pool.read { connection throws(StoreError) in
            let statement = try connection.cached("SELECT count(*) FROM numbers")
            try statement.step()
            return statement.int(0)
        }
        #expect(count == 0)
        await pool.close()
    }

    @Test("the database is in WAL mode with foreign keys on")
    func pragmas() async throws {
        let (pool, directory) = try Self.makePool()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (mode, foreignKeys) = try await pool.read { connection throws(StoreError) in
            let journal = try connection.cached("PRAGMA journal_mode")
            try journal.step()
            let keys = try connection.cached("PRAGMA foreign_keys")
            try keys.step()
            return (journal.string(0), keys.int(0))
        }
        #expect(mode == "wal")
        #expect(foreignKeys == 1)
        await pool.close()
    }

    @Test("calls after close fail with a clear error instead of hanging")
    func closed() async throws {
        let (pool, directory) = try Self.makePool()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        await pool.close()
        let error = await #expect(throws: StoreError.self) {
            try await pool.read { _ throws(StoreError) in 1 }
        }
        #expect(error?.message.contains("closed") == true)
    }

    @Test("a point read completes while every bulk reader thread is busy with a long read", .timeLimit(.minutes(10)))
    func pointReadsNotBehindBulkReads() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var migrator = Migrator()
        migrator.register("numbers", sql: "CREATE TABLE numbers (n INTEGER NOT NULL)")
        var configuration = ConnectionPool.Configuration(path: directory + "/pool.sqlite")
        configuration.readerThreads = 1
        configuration.bulkReaderThreads = 1
        let pool = try ConnectionPool(configuration: configuration, migrator: migrator)
        // The one bulk thread is busy until `release`: like a page of 1,000 contacts, and more of
        // them in line behind it.
        let bulkBusy = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let bulk = Task {
            try await pool.readBulk { _ throws(StoreError) in
                bulkBusy.signal()
                release.wait()
                return 1
            }
        }
        try await onOwnThread { bulkBusy.wait() }
        let queued = (0..<4).map { _ in Task { try await pool.readBulk { _ throws(StoreError) in 2 } } }
        // Were bulk reads on the reader thread, this would wait for `release`, which comes after it.
        let point = try await pool.read { _ throws(StoreError) in 3 }
        #expect(point == 3)
        release.signal()
        #expect(try await bulk.value == 1)
        for read in queued { #expect(try await read.value == 2) }
        await pool.close()
    }
}
