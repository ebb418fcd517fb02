/// Runs `body` on Swift's global concurrent executor instead of the event loop its caller's task
/// prefers.
///
/// RosterRPC starts every handler as a task preferring its connection's event loop (a call then
/// costs no thread hop). CPU work of a call, such as filtering a tenant's contacts for a search or
/// building a group index, would hold up every other connection of that loop meanwhile: it goes
/// through here. Store calls need not: they wait on the store's own threads.
func offEventLoop<T, Failure: Error>(_ body: () async throws(Failure) -> T) async throws(Failure) -> T {
    try await withTaskExecutorPreference(globalConcurrentExecutor, operation: body)
}
