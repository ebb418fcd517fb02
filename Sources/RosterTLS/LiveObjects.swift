internal import Synchronization

/// Counts the objects of one owner that are alive right now: incremented when one is created,
/// decremented in its `deinit`. A server counts its connection handlers this way, so a test can
/// open and close many connections and check the count returns to zero: proof that no handler
/// (and so no buffer or channel context it owns) outlived its connection.
package final class LiveObjects: Sendable {
    private let count = Atomic(0)

    package init() {}

    package func created() {
        count.wrappingAdd(1, ordering: .relaxed)
    }

    package func destroyed() {
        count.wrappingSubtract(1, ordering: .relaxed)
    }

    /// How many are alive.
    package var current: Int { count.load(ordering: .relaxed) }
}
