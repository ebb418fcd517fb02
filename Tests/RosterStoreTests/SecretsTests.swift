import Foundation
import RosterStore
import Testing

@Suite("Secrets at rest")
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

    @Test("a tenant's client secret is stored encrypted and read back decrypted")
    func clientSecretInStore() async throws {
        let fixture = try await StoreFixture.make()
        try await fixture.store.setClientSecret("my-client-secret", tenant: StoreFixture.tenant)
        #expect(try await fixture.store.clientSecret(tenant: StoreFixture.tenant) == "my-client-secret")
        #expect(try await fixture.store.tenant(id: StoreFixture.tenant)?.hasClientSecret == true)
        await fixture.store.close()
        let file = try Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/roster.sqlite"))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/roster.sqlite-wal"))) ?? Data()
        #expect(file.range(of: Data("my-client-secret".utf8)) == nil)
        #expect(wal.range(of: Data("my-client-secret".utf8)) == nil)
        try? FileManager.default.removeItem(atPath: fixture.directory)
    }
}

@Suite("API keys")
struct APIKeyTests {
    @Test("a new key authenticates with its token, shown once with the rk_ prefix; others do not")
    func authenticates() async throws {
        let fixture = try await StoreFixture.make()
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

    @Test("a revoked key never authenticates again, and revoking is scoped to the key's tenant")
    func revoked() async throws {
        let fixture = try await StoreFixture.make()
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

    @Test("only the SHA-256 hash of a token is stored")
    func onlyHashStored() async throws {
        let fixture = try await StoreFixture.make()
        let (_, token) = try await fixture.store.createAPIKey(
            tenant: StoreFixture.tenant,
            role: .reader,
            label: "",
            now: 1
        )
        await fixture.store.close()
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
        try? FileManager.default.removeItem(atPath: fixture.directory)
    }

    @Test("constant-time comparison tells equal from unequal hashes of any length")
    func constantTimeEqual() {
        #expect(APIKeyToken.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!APIKeyToken.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!APIKeyToken.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
