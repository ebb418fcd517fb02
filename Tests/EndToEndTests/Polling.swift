/// Reads `read` every `interval` until `done` holds of what it read, or `limit` has passed (a hang
/// guard, never a timing: a passing test does not come near it), and returns the last value read.
/// The caller's own expectations then judge that value.
func eventually<Value>(
    within limit: Duration = .seconds(120),
    every interval: Duration = .milliseconds(20),
    _ read: () async throws -> Value,
    until done: (Value) -> Bool
) async throws -> Value {
    let deadline = ContinuousClock.now + limit
    var value = try await read()
    while !done(value), ContinuousClock.now < deadline {
        try await Task.sleep(for: interval)
        value = try await read()
    }
    return value
}
