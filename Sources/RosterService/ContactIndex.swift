package import RosterStore
internal import Synchronization

/// ListContacts' search over one tenant's contacts, held in memory so that a search costs a binary
/// search and a walk of what matched, not a read of every contact.
///
/// It answers exactly what ``ContactSearch/matches(_:)`` would, in contact-id order: its keys are
/// each contact's folded display name, mail and userPrincipalName, and its names (display, given,
/// surname) from each word on, as reads show them (local overrides applied). It holds ids and
/// keys only; the page's contacts are read from the store by id. ``generation`` is the store's `contactsGeneration` it was built at.
package struct ContactIndex: Sendable {
    private struct Key: Sendable {
        var bytes: [UInt8]
        var ordinal: Int32
    }

    /// The store's contacts generation the index reflects.
    package let generation: Int64
    /// Contact ids in UTF-8 byte order (the store's order); a key's ordinal is a position here.
    private let ids: [String]
    private let keys: [Key]

    /// An index of `contacts`, in any order.
    package init(generation: Int64, contacts: [ContactRecord]) {
        self.generation = generation
        let sorted = contacts.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        ids = sorted.map(\.id)
        var keys: [Key] = []
        keys.reserveCapacity(sorted.count * 6)
        for (ordinal, contact) in sorted.enumerated() {
            var texts: Set<String> = []
            for name in [contact.displayName, contact.givenName, contact.surname] {
                if let name { texts.formUnion(SearchFolding.wordStarts(in: name)) }
            }
            for address in [contact.mail, contact.userPrincipalName] {
                if let address { texts.insert(SearchFolding.fold(address)) }
            }
            for text in texts where !text.isEmpty { keys.append(Key(bytes: Array(text.utf8), ordinal: Int32(ordinal))) }
        }
        self.keys = keys.sorted {
            $0.bytes == $1.bytes ? $0.ordinal < $1.ordinal : $0.bytes.lexicographicallyPrecedes($1.bytes)
        }
    }

    /// Contacts in the index.
    package var count: Int { ids.count }

    /// The ids matching `query` after `after`, up to `pageSize`; whether more follow; and how many match in all.
    package func search(_ query: String, after: String?, pageSize: Int) -> (ids: [String], hasMore: Bool, total: Int) {
        let prefix = Array(SearchFolding.fold(query).utf8)
        var matched = [Bool](repeating: prefix.isEmpty, count: ids.count)
        var total = prefix.isEmpty ? ids.count : 0
        if !prefix.isEmpty {
            for key in keys[Self.range(of: prefix, in: keys)] where !matched[Int(key.ordinal)] {
                matched[Int(key.ordinal)] = true
                total += 1
            }
        }
        var start = 0
        if let after {
            let bound = Array(after.utf8)
            var high = ids.count
            while start < high {
                let middle = (start + high) / 2
                if bound.lexicographicallyPrecedes(ids[middle].utf8) { high = middle } else { start = middle + 1 }
            }
        }
        var page: [String] = []
        var hasMore = false
        for ordinal in start..<ids.count where matched[ordinal] {
            if page.count == pageSize {
                hasMore = true
                break
            }
            page.append(ids[ordinal])
        }
        return (page, hasMore, total)
    }

    private static func range(of prefix: [UInt8], in keys: [Key]) -> Range<Int> {
        prefixRange(of: prefix, in: keys) { $0.bytes }
    }
}

/// The contact indexes of the tenants searched lately: at most `capacity` (the least recently
/// used goes first), each rebuilt when the store's contacts generation has moved on.
package final class ContactIndexCache: Sendable {
    private struct State {
        var indexes: [String: ContactIndex] = [:]
        var lastUsed: [String: UInt64] = [:]
        var clock: UInt64 = 0
        /// The build under way per tenant: searches that arrive while it runs wait for it
        /// instead of starting a second one.
        var building: [String: Build] = [:]
        var waiting = 0
    }

    private struct Build {
        let generation: Int64
        let task: Task<Result<ContactIndex, StoreError>, Never>
    }

    private let state = Mutex(State())
    private let capacity: Int
    /// Tenants whose kept index an apply made stale; ``runPrebuilds(store:)`` rebuilds them.
    private let prebuilds: AsyncStream<String>
    private let prebuild: AsyncStream<String>.Continuation

    package init(capacity: Int) {
        self.capacity = max(1, capacity)
        (prebuilds, prebuild) = AsyncStream.makeStream()
    }

    /// Told after an apply changed `tenant`'s contacts: when the cache keeps an index for the
    /// tenant (someone searched it), asks for a rebuild ahead of the next search, so the first
    /// search after a sync does not wait for it. A tenant nobody searches gets no index.
    package func contactsChanged(tenant: String) {
        if state.withLock({ $0.indexes[tenant] != nil }) { prebuild.yield(tenant) }
    }

    /// Rebuilds the indexes ``contactsChanged(tenant:)`` asked for, one at a time, until the
    /// calling task is cancelled (a rebuild under way completes first). The service runs it.
    package func runPrebuilds(store: any Store) async {
        for await tenant in prebuilds {
            _ = try? await index(tenant: tenant, store: store)
        }
    }

    /// The generation of the index kept for `tenant`, if any (for tests).
    package func keptGeneration(tenant: String) -> Int64? {
        state.withLock { $0.indexes[tenant]?.generation }
    }

    /// ListContacts' search: the contacts matching `query` after the id `after`, up to `pageSize`,
    /// and how many match in all. The ids come from the index (built or rebuilt first when needed),
    /// the contacts from the store, read by id.
    package func page(tenant: String, query: String, after: String?, pageSize: Int, store: any Store)
        async throws(StoreError)
        -> ContactSearch.Page
    {
        let index = try await index(tenant: tenant, store: store)
        let found = await offEventLoop { index.search(query, after: after, pageSize: pageSize) }
        let contacts = try await store.contacts(tenant: tenant, ids: found.ids)
        // A contact removed since the index was read is left out of this page.
        return ContactSearch.Page(
            contacts: found.ids.compactMap { contacts[$0] },
            hasMore: found.hasMore,
            total: found.total
        )
    }

    /// The tenant's index at the store's current generation, built when missing or stale.
    package func index(tenant: String, store: any Store) async throws(StoreError) -> ContactIndex {
        let generation = try await store.contactsGeneration(tenant: tenant)
        return try await index(tenant: tenant, generation: generation) { () async throws(StoreError) in
            try await Self.allContacts(tenant: tenant, store: store)
        }
    }

    /// The tenant's index at `generation`, built from what `load` returns when missing or stale.
    /// One build per tenant and generation runs at a time: callers that arrive while it runs
    /// wait for it and share its index (or its error).
    package func index(
        tenant: String,
        generation: Int64,
        load: @escaping @Sendable () async throws(StoreError) -> [ContactRecord]
    ) async throws(StoreError) -> ContactIndex {
        let build: Task<Result<ContactIndex, StoreError>, Never> = state.withLock { state in
            if let index = state.indexes[tenant], index.generation == generation {
                state.clock += 1
                state.lastUsed[tenant] = state.clock
                return Task { .success(index) }
            }
            if let build = state.building[tenant], build.generation == generation { return build.task }
            let task = Task { await self.build(tenant: tenant, generation: generation, load: load) }
            state.building[tenant] = Build(generation: generation, task: task)
            return task
        }
        state.withLock { $0.waiting += 1 }
        defer { state.withLock { $0.waiting -= 1 } }
        return try await build.value.get()
    }

    /// How many callers are waiting for a build right now (for tests).
    package var callersWaiting: Int { state.withLock { $0.waiting } }

    private func build(
        tenant: String,
        generation: Int64,
        load: @Sendable () async throws(StoreError) -> [ContactRecord]
    ) async -> Result<ContactIndex, StoreError> {
        let result: Result<ContactIndex, StoreError>
        do throws(StoreError) {
            let contacts = try await load()
            result = .success(await offEventLoop { ContactIndex(generation: generation, contacts: contacts) })
        } catch {
            result = .failure(error)
        }
        state.withLock { state in
            if state.building[tenant]?.generation == generation { state.building[tenant] = nil }
            // A slow build must not replace a newer generation's index.
            guard case .success(let built) = result, (state.indexes[tenant]?.generation ?? .min) <= generation else {
                return
            }
            state.indexes[tenant] = built
            state.clock += 1
            state.lastUsed[tenant] = state.clock
            while state.indexes.count > capacity, let oldest = state.lastUsed.min(by: { $0.value < $1.value })?.key {
                state.indexes[oldest] = nil
                state.lastUsed[oldest] = nil
            }
        }
        return result
    }

    /// Every contact of the tenant as reads show it: with its local overrides applied, so a search
    /// finds the name a reader sees (the overrides are read after the contacts; a set or clear in
    /// between has moved the generation on, and the next search rebuilds).
    private static func allContacts(tenant: String, store: any Store) async throws(StoreError) -> [ContactRecord] {
        var contacts: [ContactRecord] = []
        var after: String?
        while true {
            let chunk = try await store.contacts(tenant: tenant, after: after, limit: 5_000)
            contacts += chunk
            guard chunk.count == 5_000, let last = chunk.last else { break }
            after = last.id
        }
        let overrides = try await store.contactOverrides(tenant: tenant)
        guard !overrides.isEmpty else { return contacts }
        return contacts.map { OverriddenContact.effective($0, overrides: overrides[$0.id] ?? []) }
    }
}
