package import RosterWire
internal import Synchronization

/// Pages of tenants' change feeds as the wire carries them, shared by the WatchContactChanges
/// streams that follow the same part of a feed: when 100 consumers follow a sync's 100,000
/// changes, each page is read from the store and mapped once, not 100 times.
///
/// Pages are aligned to the feed's numbering: page `n` of a tenant holds cursors
/// `n × size + 1 … (n + 1) × size`, so streams that started at different cursors still share them.
/// A stream asks for the page holding the change after its cursor and takes the part after it.
///
/// The decisions live in ``State``, a value with an injected clock:
/// - a page is kept only when it is **full** (its last change is the page's last cursor): the
///   numbering is gapless, so no later commit can add to it;
/// - a load under way is **joined** by other streams, but one not yet full only by a stream
///   whose news of commits (its ``ChangeSignal`` generation) it does not predate, so that a
///   stream never waits for a commit its page missed;
/// - a kept page is used for at most ``maxAge``: the contacts in it are as they were read, and
///   a later change of one of them follows in the feed anyway;
/// - at most ``capacity`` pages are kept (about 256 KiB each at 256 changes); the oldest go first.
package final class ChangePageCache: Sendable {
    /// A page's place: its tenant and its number.
    package struct Key: Hashable, Sendable {
        package var tenant: String
        package var page: Int64

        package init(tenant: String, page: Int64) {
            self.tenant = tenant
            self.page = page
        }
    }

    /// One load of a page, and what is known of it.
    package struct Entry: Sendable {
        package var load: Task<[ContactChange], any Error>
        /// When the load started (Unix ms).
        package var startedAt: Int64
        /// The tenant's commit generation when it started.
        package var generation: UInt64
        /// Set once the load has ended with a full page.
        package var isFull = false

        package init(load: Task<[ContactChange], any Error>, startedAt: Int64, generation: UInt64) {
            self.load = load
            self.startedAt = startedAt
            self.generation = generation
        }
    }

    /// What the cache decides; no I/O, no tasks of its own.
    package struct State: Sendable {
        package let capacity: Int
        package let maxAge: Int64
        package private(set) var entries: [Key: Entry] = [:]

        package init(capacity: Int, maxAgeMilliseconds: Int64) {
            self.capacity = capacity
            self.maxAge = maxAgeMilliseconds
        }

        /// The load a stream whose commit generation is `generation` may use for `key` at `now`,
        /// or nil when it must start its own.
        package mutating func usable(_ key: Key, generation: UInt64, now: Int64) -> Task<[ContactChange], any Error>? {
            guard let entry = entries[key] else { return nil }
            if now - entry.startedAt > maxAge {
                entries[key] = nil
                return nil
            }
            return entry.isFull || entry.generation >= generation ? entry.load : nil
        }

        /// Records a load just started, making room for it.
        package mutating func started(_ key: Key, _ entry: Entry, now: Int64) {
            entries = entries.filter { now - $0.value.startedAt <= maxAge }
            while entries.count >= max(1, capacity),
                let oldest = entries.min(by: { $0.value.startedAt < $1.value.startedAt })?.key
            {
                entries[oldest] = nil
            }
            entries[key] = entry
        }

        /// Records how `load` for `key` ended: kept when full, forgotten otherwise (a later load
        /// may have replaced it; that one stays).
        package mutating func ended(_ key: Key, load: Task<[ContactChange], any Error>, full: Bool) {
            guard entries[key]?.load == load else { return }
            if full { entries[key]?.isFull = true } else { entries[key] = nil }
        }

        /// Forgets every page (the feed was pruned: a page may hold changes no longer retained).
        package mutating func removeAll() { entries = [:] }
    }

    /// Changes per page.
    package let pageSize: Int
    private let state: Mutex<State>
    private let now: @Sendable () -> Int64

    /// A cache of pages of `pageSize` changes, at most `capacity` of them, each used for at most
    /// `maxAgeMilliseconds` after it was read, by the clock `now` (Unix ms).
    package init(
        pageSize: Int,
        capacity: Int = 64,
        maxAgeMilliseconds: Int64 = 5_000,
        now: @escaping @Sendable () -> Int64
    ) {
        self.pageSize = max(1, pageSize)
        self.state = Mutex(State(capacity: capacity, maxAgeMilliseconds: maxAgeMilliseconds))
        self.now = now
    }

    /// The page that holds the change after `cursor`, read by `load` (the changes after the page's
    /// first cursor minus one, at most ``pageSize``) unless a usable load exists. `generation` is
    /// the caller's commit generation of the tenant, taken before it asked.
    package func page(
        tenant: String,
        containingChangeAfter cursor: Int64,
        generation: UInt64,
        load: @escaping @Sendable (_ after: Int64) async throws -> [ContactChange]
    ) async throws -> [ContactChange] {
        let key = Key(tenant: tenant, page: cursor / Int64(pageSize))
        let after = key.page * Int64(pageSize)
        let startedAt = now()
        let (task, isOwn) = state.withLock { state -> (Task<[ContactChange], any Error>, Bool) in
            if let task = state.usable(key, generation: generation, now: startedAt) { return (task, false) }
            let task = Task { try await load(after) }
            state.started(key, Entry(load: task, startedAt: startedAt, generation: generation), now: startedAt)
            return (task, true)
        }
        do {
            let changes = try await task.value
            if isOwn {
                let full = changes.count == pageSize && changes.last?.cursor == after + Int64(pageSize)
                state.withLock { $0.ended(key, load: task, full: full) }
            }
            return changes
        } catch {
            if isOwn { state.withLock { $0.ended(key, load: task, full: false) } }
            throw error
        }
    }

    /// Forgets every page.
    package func removeAll() { state.withLock { $0.removeAll() } }
}
