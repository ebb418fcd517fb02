/// How one HTTP exchange with the directory (Graph or its token endpoint) ended: the `outcome`
/// label of `roster_graph_requests_total`. Each attempt counts, retries included.
enum GraphRequestOutcome: String, Sendable, CaseIterable {
    /// 2xx or 3xx.
    case ok
    /// 429, 503 or 504: the directory asked the client to slow down.
    case throttled
    /// Any other 5xx.
    case serverError = "server_error"
    /// 4xx other than 429 (an expired token, a missing permission, a gone delta link).
    case clientError = "client_error"
    /// No answer: a connection, TLS or timeout failure.
    case networkError = "network_error"
    /// A body over `maximumResponseBytes`.
    case tooLarge = "too_large"

    init(status: Int) {
        switch status {
        case 429, 503, 504: self = .throttled
        case 500...599: self = .serverError
        case 400...499: self = .clientError
        default: self = .ok
        }
    }
}
