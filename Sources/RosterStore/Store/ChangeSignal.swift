internal import Synchronization

/// Wakes the readers of a tenant's change feed when the store commits changes for it.
///
/// Each tenant has a generation the store advances after every commit that logged changes (and a
/// replica advances when another replica tells it of one). A reader notes the generation, reads
/// what is stored, and when it has caught up waits for the generation to move past the one it
/// noted: a commit between its note and its read wakes it at once, so nothing is missed.
package final class ChangeSignal: Sendable {
    private struct State {
        var generations: [String: UInt64] = [:]
        var waiters: [String: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        var nextWaiter: UInt64 = 0
    }
    private let state = Mutex(State())

    package init() {}

    /// The tenant's generation now.
    package func generation(tenant: String) -> UInt64 {
        state.withLock { $0.generations[tenant, default: 0] }
    }

    /// Marks that the tenant's changes moved on and wakes its waiters.
    package func advance(tenant: String) {
        let woken = state.withLock { state in
            state.generations[tenant, default: 0] &+= 1
            return state.waiters.removeValue(forKey: tenant).map { Array($0.values) } ?? []
        }
        for continuation in woken { continuation.resume() }
    }

    /// Advances every tenant: after news may have been lost (a replica reconnected to the database).
    package func advanceAll() {
        let woken = state.withLock { state in
            state.generations = state.generations.mapValues { $0 &+ 1 }
            for tenant in state.waiters.keys where state.generations[tenant] == nil { state.generations[tenant] = 1 }
            defer { state.waiters = [:] }
            return state.waiters.values.flatMap(\.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once the tenant's generation is past `generation`, after `timeout`, or when the
    /// calling task is cancelled, whichever comes first.
    package func wait(tenant: String, past generation: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(tenant: tenant, past: generation) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Waiters parked now, over all tenants (tests check that none is left behind).
    package var waiting: Int { state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } } }

    private func wait(tenant: String, past generation: UInt64) async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.generations[tenant, default: 0] > generation || Task.isCancelled { return true }
                    state.waiters[tenant, default: [:]][id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let parked = state.withLock { state in
                let continuation = state.waiters[tenant]?.removeValue(forKey: id)
                if state.waiters[tenant]?.isEmpty == true { state.waiters[tenant] = nil }
                return continuation
            }
            parked?.resume()
        }
    }
}
