/// A `Store` its owner opened and closes at shutdown: what a server holds, whatever the engine.
package protocol ClosableStore: Store {
    /// Finishes submitted work and releases the store's threads or connections.
    func close() async
}

extension SQLiteStore: ClosableStore {}
