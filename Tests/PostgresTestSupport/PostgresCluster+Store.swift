package import RosterPostgres

extension PostgresCluster {
    /// A new database of the cluster, and a store configuration reaching it as the superuser with
    /// at most four connections (tests open several stores at once).
    package func createStoreDatabase() async throws -> (configuration: PostgresStoreConfiguration, database: String) {
        let (endpoint, database) = try await createDatabase()
        var configuration = PostgresStoreConfiguration(
            host: endpoint.host,
            port: endpoint.port,
            username: endpoint.user,
            database: database
        )
        configuration.maximumConnections = 4
        return (configuration, database)
    }
}
