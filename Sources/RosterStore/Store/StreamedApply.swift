/// A tenant's first sync written as the directory's pages arrive, inside ONE transaction that
/// stays open until ``commit(deltaLink:)``: the apply overlaps the fetch instead of following it.
///
/// Nothing is visible to readers before the commit, and a run that fails, is cancelled or dies
/// leaves nothing behind (the transaction rolls back). Only for a tenant without contacts: every
/// listed contact is an addition, so there is nothing to compare, update or remove. A store that
/// cannot hold a write transaction open beside others (SQLite has one writer) never offers one.
package protocol StreamedApply: Sendable {
    /// Writes one page of contacts. A contact written twice keeps its last version and counts once.
    func write(_ contacts: [ContactRecord]) async throws(StoreError)
    /// Commits everything written, as ``Store/apply(job:tenant:kind:now:deltaLink:)`` would for a
    /// tenant without contacts: the change feed, the counts, `deltaLink` when given, and the job's
    /// lease checked last. Throws, with nothing written, when the job's lease was lost or the
    /// tenant gained contacts meanwhile.
    func commit(deltaLink: String?) async throws(StoreError) -> ApplyCounts
    /// Rolls back what was written and releases the connection. Safe after a failed write or commit,
    /// and more than once.
    func discard() async
}
