#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// IP addresses written as text, in the two places RosterTLS meets them: a certificate's subject
/// alternative names, and the host a client connects to.
enum IPAddressText {
    /// Whether `text` is exactly an IP address literal: IPv4 in dotted-quad form (`127.0.0.1`) or
    /// IPv6 (`::1`, `2001:db8::7`, `::ffff:10.0.0.1`), as `inet_pton` reads them. No brackets, zone
    /// or port: this is what may follow `IP:` in a subjectAltName.
    static func isLiteral(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, text, &address) == 1 || inet_pton(AF_INET6, text, &address) == 1
    }

    /// The IP address a client checks the server's certificate for when it connects to `host`, or
    /// nil when `host` is a host name (checked against the certificate's DNS names and sent as SNI).
    ///
    /// Besides a bare literal, this takes an IPv6 address in URL brackets (`[::1]`) and drops an
    /// IPv6 zone (`fe80::1%eth0`): a certificate carries neither.
    static func address(inHost host: String) -> String? {
        var text = Substring(host)
        let bracketed = text.hasPrefix("[") && text.hasSuffix("]") && text.count > 2
        if bracketed { text = text.dropFirst().dropLast() }
        if text.contains(":"), let percent = text.firstIndex(of: "%") {
            text = text[..<percent]
        }
        // Brackets hold IPv6 only: "[127.0.0.1]" is no address.
        guard !bracketed || text.contains(":") else { return nil }
        let candidate = String(text)
        return isLiteral(candidate) ? candidate : nil
    }
}
