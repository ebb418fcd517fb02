import Foundation
import RosterStore
import Testing

@Suite("Secrets at rest", .postgresCluster)
struct SecretsTests {
    @Test("a sealed secret opens with the same key and tenant, and not with another tenant or key")
    func sealAndOpen() throws {
        let box = SecretBox(key: try MasterKey.random())
        let sealed = try box.seal("s3cr3t~Ωvalue", associatedData: "tenant-a")
        #expect(try box.open(sealed, associatedData: "tenant-a") == "s3cr3t~Ωvalue")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("s3cr3t"))
        #expect(throws: StoreError.self) { try box.open(sealed, associatedData: "tenant-b") }
        #expect(throws: StoreError.self) {
            try SecretBox(key: try MasterKey.random()).open(sealed, associatedData: "tenant-a")
        }
        var tampered = sealed
        tampered[20] ^= 1
        #expect(throws: StoreError.self) { try box.open(tampered, associatedData: "tenant-a") }
    }

    @Test("sealing the same secret twice gives different bytes (random nonce)")
    func randomNonce() throws {
        let box = SecretBox(key: try MasterKey.random())
        #expect(try box.seal("x", associatedData: "t") != box.seal("x", associatedData: "t"))
    }

    @Test("the master key file is created with mode 0600 and loads back the same key")
    func masterKeyCreated() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try MasterKey.loadOrCreate(inDirectory: directory)
        let path = directory + "/" + MasterKey.fileName
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let again = try MasterKey.loadOrCreate(inDirectory: directory)
        let sealed = try SecretBox(key: key).seal("same key", associatedData: "t")
        #expect(try SecretBox(key: again).open(sealed, associatedData: "t") == "same key")
    }

    @Test("a master key file readable by others is refused with the chmod to run")
    func masterKeyTooOpen() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try MasterKey.loadOrCreate(inDirectory: directory)
        let path = directory + "/" + MasterKey.fileName
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let error = #expect(throws: StoreError.self) { try MasterKey.loadOrCreate(inDirectory: directory) }
        #expect(error?.code == .masterKey)
        #expect(error?.message.contains("chmod 600") == true)
    }

    @Test("a tenant's client secret is stored encrypted and read back decrypted", arguments: StoreKind.allCases)
    func clientSecretInStore(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await fixture.store.setClientSecret("my-client-secret", tenant: StoreFixture.tenant)
        #expect(try await fixture.store.clientSecret(tenant: StoreFixture.tenant) == "my-client-secret")
        #expect(try await fixture.store.tenant(id: StoreFixture.tenant)?.hasClientSecret == true)
        switch fixture.kind {
        case .sqlite:
            await fixture.close()
            let file = try Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/roster.sqlite"))
            let wal = (try? Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/roster.sqlite-wal"))) ?? Data()
            #expect(file.range(of: Data("my-client-secret".utf8)) == nil)
            #expect(wal.range(of: Data("my-client-secret".utf8)) == nil)
        case .postgres:
            // The column holds the sealed form (format byte 1, nonce, ciphertext, tag), never the text.
            let stored = try await fixture.psql("SELECT encode(client_secret, 'hex') FROM tenants")
            #expect(stored.hasPrefix("01"))
            let sealedLength: Int = 1 + 12 + "my-client-secret".utf8.count + 16
            #expect(stored.count == 2 * sealedLength)
            #expect(!stored.contains(hex(Array("my-client-secret".utf8))))
            let plain = try await fixture.psql(
                "SELECT count(*) FROM tenants WHERE position('my-client' in encode(client_secret, 'escape')) > 0"
            )
            #expect(plain == "0")
            await fixture.close()
        }
        try? FileManager.default.removeItem(atPath: fixture.directory)
    }
}

/// Lowercase hex of `bytes`, as PostgreSQL's encode(…, 'hex') writes them.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

@Suite("API keys", .postgresCluster)
struct APIKeyTests {
    @Test(
        "a new key authenticates with its token, shown once with the rk_ prefix; others do not",
        arguments: StoreKind.allCases
    )
    func authenticates(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let (key, token) = try await fixture.store.createAPIKey(
            tenant: StoreFixture.tenant,
            role: .editor,
            label: "ci",
            now: 5
        )
        #expect(token.hasPrefix("rk_"))
        #expect(try await fixture.store.authenticate(token: token) == key)
        var wrong = Array(token)
        wrong[wrong.count - 1] = wrong.last == "A" ? "B" : "A"
        #expect(try await fixture.store.authenticate(token: String(wrong)) == nil)
        #expect(try await fixture.store.authenticate(token: "rk_nonsense") == nil)
        #expect(try await fixture.store.authenticate(token: "") == nil)
        await fixture.tearDown()
    }

    @Test(
        "a revoked key never authenticates again, and revoking is scoped to the key's tenant",
        arguments: StoreKind.allCases
    )
    func revoked(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await fixture.store.createTenant(StoreFixture.tenantRecord(id: "other"))
        let (key, token) = try await fixture.store.createAPIKey(
            tenant: StoreFixture.tenant,
            role: .admin,
            label: "",
            now: 1
        )
        #expect(try await fixture.store.revokeAPIKey(id: key.id, tenant: "other", now: 2) == false)
        #expect(try await fixture.store.authenticate(token: token) != nil)
        #expect(try await fixture.store.revokeAPIKey(id: key.id, tenant: StoreFixture.tenant, now: 3))
        #expect(try await fixture.store.authenticate(token: token) == nil)
        #expect(try await fixture.store.apiKeys(tenant: StoreFixture.tenant).first?.revokedAt == 3)
        await fixture.tearDown()
    }

    @Test("only the SHA-256 hash of a token is stored", arguments: StoreKind.allCases)
    func onlyHashStored(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let (_, token) = try await fixture.store.createAPIKey(
            tenant: StoreFixture.tenant,
            role: .reader,
            label: "",
            now: 1
        )
        switch fixture.kind {
        case .sqlite:
            await fixture.close()
            let connection = try Connection(
                path: fixture.directory + "/roster.sqlite",
                readOnly: true,
                busyTimeoutMilliseconds: 100
            )
            let select = try connection.cached("SELECT hash FROM api_keys")
            #expect(try select.step())
            #expect(select.bytes(0) == APIKeyToken.hash(token))
            for name in ["roster.sqlite", "roster.sqlite-wal"] {
                let file = (try? Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/" + name))) ?? Data()
                #expect(file.range(of: Data(token.suffix(43).utf8)) == nil)
            }
        case .postgres:
            #expect(try await fixture.psql("SELECT encode(hash, 'hex') FROM api_keys") == hex(APIKeyToken.hash(token)))
            let everything = try await fixture.psql("SELECT api_keys::text FROM api_keys")
            #expect(!everything.contains(String(token.suffix(43))))
            await fixture.close()
        }
        try? FileManager.default.removeItem(atPath: fixture.directory)
    }

    @Test("an expiring key authenticates with its expiry; last use only moves forward", arguments: StoreKind.allCases)
    func expiryAndLastUse(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let (key, token) = try await fixture.store.createAPIKey(
            tenant: StoreFixture.tenant,
            role: .reader,
            label: "expiring",
            now: 10,
            expiresAt: 100
        )
        let found = try #require(try await fixture.store.authenticate(token: token))
        #expect(found.expiresAt == 100)
        #expect(!found.isExpired(at: 99) && found.isExpired(at: 100))
        let (other, _) = try await fixture.store.createAPIKey(
            tenant: StoreFixture.tenant,
            role: .admin,
            label: "",
            now: 11
        )
        try await fixture.store.recordAPIKeyUse([key.id: 50, other.id: 60])
        try await fixture.store.recordAPIKeyUse([key.id: 40])
        let keys = try await fixture.store.apiKeys(tenant: StoreFixture.tenant)
        #expect(keys.map(\.id) == [key.id, other.id])
        #expect(keys.map(\.lastUsedAt) == [50, 60])
        let error = await #expect(throws: StoreError.self) {
            _ = try await fixture.store.createAPIKey(tenant: "missing", role: .reader, label: "", now: 1)
        }
        #expect(error?.code == .notFound)
        await fixture.tearDown()
    }

    @Test("constant-time comparison tells equal from unequal hashes of any length")
    func constantTimeEqual() {
        #expect(APIKeyToken.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!APIKeyToken.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!APIKeyToken.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
