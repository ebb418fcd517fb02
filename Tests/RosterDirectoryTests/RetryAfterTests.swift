import Foundation
import NIOHTTP1
import Testing

@testable import RosterDirectory

/// `Retry-After` in both of its forms.
@Suite("Retry-After")
struct RetryAfterTests {
    func wait(_ value: String, now: Date = Date(timeIntervalSince1970: 784_111_777)) -> Duration? {
        GraphTransport.retryAfter(HTTPHeaders([("Retry-After", value)]), now: now)
    }

    @Test("delay-seconds")
    func seconds() {
        #expect(wait("7") == .seconds(7))
        #expect(wait(" 120 ") == .seconds(120))
        #expect(wait("-1") == nil)
        #expect(wait("soon") == nil)
    }

    @Test("an HTTP date: the time until it; a date past means no wait")
    func httpDate() {
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
        #expect(wait("Sun, 06 Nov 1994 08:50:07 GMT") == .seconds(30))
        #expect(wait("Sun, 06 Nov 1994 08:49:37 GMT") == .zero)
        #expect(wait("Sun, 06 Nov 1994 08:40:00 GMT") == .zero)
        #expect(wait("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
    }
}
