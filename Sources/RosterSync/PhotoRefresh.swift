import RosterDirectory
import RosterStore

/// Brings a tenant's stored photos up to date with the directory, after a sync's apply: each
/// contact's photo is asked for with the etag the store holds (the directory downloads only a
/// changed one), then written, or deleted when the user has none any more, each in a transaction
/// of its own (`Store.setPhoto`).
///
/// At most ``maxInFlight`` contacts are asked about at once; with one job per tenant, that bounds
/// the photo requests in flight per tenant. A failure of one photo is counted and told to
/// ``onFailure``, and the refresh goes on; after ``maxConsecutiveFailures`` failures in a row
/// (the directory throttling past its retries, a permission missing) it stops asking. A cancel
/// stops it too: photos already written stay, the next sync asks again for the rest.
struct PhotoRefresh: Sendable {
    /// What a refresh did.
    struct Counts: Sendable, Hashable {
        /// Contacts checked, photos written, removed and failed, contacts never asked about.
        var tally = PhotoCounts()
        /// The first failure, in words.
        var firstFailure: String?
        /// Why the refresh could not begin (the tenant's contacts or etags could not be read).
        var notStarted: String?

        /// The counts the job stores; nil when the refresh could not begin.
        var stored: PhotoCounts? { notStarted == nil ? tally : nil }
    }

    /// Contacts asked about at once.
    let maxInFlight: Int
    /// Failures in a row after which the refresh stops.
    let maxConsecutiveFailures: Int
    /// The directory's photo of a user, given the etag held.
    let fetch: @Sendable (_ userID: String, _ knownETag: String?) async throws(DirectoryError) -> PhotoFetch
    /// Writes (nil: deletes) a contact's photo; false when the contact is gone.
    let save: @Sendable (_ photo: ContactPhoto?, _ contactID: String) async throws(StoreError) -> Bool
    /// The clock, for the photos' change times.
    let now: @Sendable () -> Int64
    /// Told of each failure, with the contact's id.
    let onFailure: @Sendable (_ contactID: String, _ error: any Error) -> Void
    /// Told of the counts every `progressEvery` contacts.
    let onProgress: @Sendable (Counts) -> Void
    let progressEvery = 50

    private enum Outcome: Sendable {
        case unchanged, written, removed
        case failed(any Error)
    }

    /// Refreshes the photos of `contactIDs`, the store holding `stored` (contact id → etag).
    func run(contactIDs: [String], stored: [String: String]) async -> Counts {
        await withTaskGroup(of: (String, Outcome).self) { group in
            var counts = Counts()
            var pending = contactIDs[...]
            var inRow = 0
            var stopped = false
            func next() {
                guard !stopped, !Task.isCancelled, let id = pending.popFirst() else { return }
                let known = stored[id]
                group.addTask { (id, await refresh(id, known: known)) }
            }
            for _ in 0..<max(1, maxInFlight) { next() }
            for await (id, outcome) in group {
                if Task.isCancelled, case .failed = outcome {
                    counts.tally.skipped += 1  // stopped by the cancel, not by the directory
                    continue
                }
                counts.tally.checked += 1
                switch outcome {
                case .unchanged: inRow = 0
                case .written:
                    counts.tally.written += 1
                    inRow = 0
                case .removed:
                    counts.tally.removed += 1
                    inRow = 0
                case .failed(let error):
                    counts.tally.failed += 1
                    inRow += 1
                    if counts.firstFailure == nil { counts.firstFailure = "\(error)" }
                    onFailure(id, error)
                    if inRow >= maxConsecutiveFailures { stopped = true }
                }
                if counts.tally.checked % progressEvery == 0 { onProgress(counts) }
                next()
            }
            counts.tally.skipped += pending.count
            return counts
        }
    }

    private func refresh(_ id: String, known: String?) async -> Outcome {
        do {
            switch try await fetch(id, known) {
            case .unchanged:
                return .unchanged
            case .none:
                guard known != nil else { return .unchanged }
                return try await save(nil, id) ? .removed : .unchanged
            case .changed(let photo):
                let record = ContactPhoto(
                    etag: photo.etag,
                    contentType: photo.contentType,
                    bytes: photo.bytes,
                    changedAt: now()
                )
                return try await save(record, id) ? .written : .unchanged
            }
        } catch {
            return .failed(error)
        }
    }
}
