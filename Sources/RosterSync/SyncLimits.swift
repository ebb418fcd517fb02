/// What one sync run may take from a directory before it stops FAILED with
/// `DIRECTORY_LIMIT_EXCEEDED`, nothing applied: a directory that pages forever (or lists far more
/// people than any organization has) must never fill the disk or hold a job for good.
package struct SyncLimits: Sendable, Hashable {
    /// Pages fetched per run. Default 100,000 (at Graph's 100–999 users a page, well past the user bound).
    package var maxPages = 100_000
    /// Users (and removals) fetched per run. Default 5,000,000.
    package var maxUsers = 5_000_000
    /// Milliseconds a run may fetch for. Default 6 hours.
    package var maxDurationMilliseconds: Int64 = 6 * 3_600_000
    /// Users a delta run fetches one by one (their rows left out properties it cannot know)
    /// before it runs a full sync instead. Default 2,000 (a full sync of 100,000 users is about
    /// 100–1,000 requests).
    package var maxUsersFetchedWhole = 2_000
    /// Contacts whose photo is asked for at once, after the apply (each asks one request at a
    /// time: the metadata, then the bytes when the etag changed), so at most this many photo
    /// requests are in flight per tenant. Default 4.
    package var photoRequestsInFlight = 4
    /// Photos failing in a row after which a run stops asking for the rest (the directory keeps
    /// throttling past its retries, or refuses them all); the job still succeeds, its note says
    /// so, and the next sync asks again. Default 25.
    package var maxConsecutivePhotoFailures = 25

    package init() {}

    /// Counts one page of `entries` fetched at `now`; throws once a bound is passed.
    func check(pages: Int, entries: Int, startedAt: Int64, now: Int64) throws(SyncError) {
        if pages > maxPages {
            throw SyncError(
                .directoryLimitExceeded,
                "the directory sent more than \(maxPages) pages in one run; nothing was applied"
            )
        }
        if entries > maxUsers {
            throw SyncError(
                .directoryLimitExceeded,
                "the directory listed more than \(maxUsers) users in one run; nothing was applied"
            )
        }
        if now - startedAt > maxDurationMilliseconds {
            let minutes = maxDurationMilliseconds / 60_000
            throw SyncError(
                .directoryLimitExceeded,
                "the run fetched for more than \(minutes) minutes; nothing was applied"
            )
        }
    }
}
