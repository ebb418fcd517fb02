import Testing

@testable import RosterTLS

@Suite("IP addresses as text")
struct IPAddressTextTests {
    @Test(
        "a certificate's IP SAN takes exactly an IPv4 dotted quad or an IPv6 address",
        arguments: [
            ("127.0.0.1", true), ("10.0.0.1", true), ("255.255.255.255", true),
            ("::1", true), ("::", true), ("2001:db8::7", true), ("fe80::1", true), ("::ffff:10.0.0.1", true),
            ("2001:0db8:0000:0000:0000:0000:0000:0007", true),
            // Not literals: brackets, zones and ports belong to hosts and URLs, not to SANs.
            ("[::1]", false), ("fe80::1%eth0", false), ("127.0.0.1:7443", false),
            // Not IPv4: too few or too many parts, a part over 255, not digits.
            ("1.2.3", false), ("1.2.3.4.5", false), ("999.1.1.1", false), ("1.2.3.x", false),
            // Host names, including ones that look numeric or hold colons.
            ("localhost", false), ("roster.example.com", false), ("123", false), ("a:b", false), ("", false),
        ] as [(String, Bool)]
    )
    func literal(text: String, isLiteral: Bool) {
        #expect(IPAddressText.isLiteral(text) == isLiteral)
    }

    @Test(
        "a client checks the certificate's IP SANs for an address (bare, or IPv6 in brackets) and its DNS names otherwise",
        arguments: [
            ("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("2001:db8::7", "2001:db8::7"),
            ("[::1]", "::1"), ("[2001:db8::7]", "2001:db8::7"),
            ("fe80::1%eth0", "fe80::1"), ("[fe80::1%25eth0]", "fe80::1"),
            // Brackets hold IPv6 only; a broken bracket is no address.
            ("[127.0.0.1]", nil), ("[::1", nil), ("::1]", nil), ("[]", nil),
            // Host names are checked as names, even when they look a little like addresses.
            ("localhost", nil), ("roster.example.com", nil), ("999.1.1.1", nil), ("1.2.3", nil), ("[localhost]", nil),
        ] as [(String, String?)]
    )
    func host(host: String, address: String?) {
        #expect(IPAddressText.address(inHost: host) == address)
    }
}
