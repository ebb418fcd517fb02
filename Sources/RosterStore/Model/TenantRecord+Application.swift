extension TenantRecord {
    /// Whether the tenant connects through the server's own application (admin consent): it has
    /// a directory but no client id of its own (ConnectDirectory records the server's application
    /// that way, and its credentials live in the server's configuration).
    package var usesServerApplication: Bool {
        (clientID ?? "").isEmpty && !(directoryTenantID ?? "").isEmpty
            && !graphBaseURL.hasPrefix("file:") && graphBaseURL != "demo:"
    }
}
