import Foundation
import GraphTestDouble
import RosterClient
import RosterWire
import Synchronization

// MARK: - Timing and formatting

let clock = ContinuousClock()

func secondsOf(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func nanos(_ duration: Duration) -> UInt64 {
    UInt64(max(0, duration.components.seconds)) * 1_000_000_000
        + UInt64(max(0, duration.components.attoseconds) / 1_000_000_000)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func f(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

/// 12,345 style.
func grouped(_ value: Int) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.groupingSeparator = ","
    formatter.usesGroupingSeparator = true
    return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
}

/// "median (min–max)" of seconds.
func summary(_ values: [Double], digits: Int = 3) -> String {
    "\(f(median(values), digits)) (\(f(values.min() ?? .nan, digits))–\(f(values.max() ?? .nan, digits)))"
}

func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

// MARK: - Requests

func allUsersSync(forceFull: Bool = false) -> StartSyncRequest {
    var scope = RosterWire.SyncScope()
    scope.kind = .allUsers
    var request = StartSyncRequest()
    request.scope = scope
    request.forceFull = forceFull
    return request
}

/// Turns the tenant's photo sync off (UpdateSettings), so the parts measured before photos existed
/// measure the same work as then; the `photos` part measures photos.
func photosOff(_ client: RosterClient) async throws {
    var request = UpdateSettingsRequest()
    request.syncPhotos = false
    _ = try await client.updateSettings(request)
}

func connectRequest(_ double: GraphDouble) -> ConnectDirectoryRequest {
    var request = ConnectDirectoryRequest()
    request.directoryTenantID = "double-tenant"
    request.clientID = "roster-app"
    request.clientSecret = "double-secret"
    request.authorityURL = double.baseURL
    request.graphBaseURL = double.baseURL
    return request
}

// MARK: - Sampling RSS on its own thread

/// Reads a process's VmRSS every `interval` on a dedicated thread (not the cooperative pool, which
/// the watchers keep busy), keeping the largest value seen.
final class RSSSampler: Sendable {
    private struct State {
        var running = true
        var peakKiB = 0
        var samples = 0
        var last = 0
    }
    private let state = Mutex(State())
    private let done = Mutex<Bool>(false)

    init(pid: Int32, interval: Double = 0.05) {
        Thread.detachNewThread { [self] in
            while state.withLock({ $0.running }) {
                let rss = Rosterd.statusField("VmRSS", pid: pid)
                state.withLock {
                    $0.peakKiB = max($0.peakKiB, rss)
                    $0.samples += 1
                    $0.last = rss
                }
                Thread.sleep(forTimeInterval: interval)
            }
            done.withLock { $0 = true }
        }
    }

    /// Stops sampling; returns the peak VmRSS (KiB) and the number of samples.
    func stop() -> (peakKiB: Int, samples: Int) {
        state.withLock { $0.running = false }
        while !done.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
        return state.withLock { ($0.peakKiB, $0.samples) }
    }
}

// MARK: - Groups: a realistic 50,000-group directory

/// Deterministic pseudo-random numbers (SplitMix64), so every run serves the same groups and queries.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum GroupDirectory {
    static let regions = [
        "UK", "EMEA", "Europe", "APAC", "Americas", "US", "DACH", "Nordics", "France", "Germany", "Japan", "India",
        "LATAM", "Benelux", "Iberia", "Middle East", "Australia", "Canada", "Global", "All",
    ]
    static let places = [
        "London", "Manchester", "Edinburgh", "Paris", "Lyon", "München", "Berlin", "Zürich", "Genève", "Kyiv", "Tokyo",
        "Osaka", "São Paulo", "Seattle", "Redmond", "New York", "Toronto", "Sydney", "Singapore", "Dubai", "Tel Aviv",
        "Madrid", "Barcelona", "Milano", "Amsterdam", "Stockholm", "Oslo", "København", "Helsinki", "Dublin",
        "Warszawa",
        "Praha", "Wien", "Bengaluru", "Pune", "Shanghai", "Seoul", "Mexico City", "Bogotá", "Austin",
    ]
    static let teams = [
        "Sales", "Marketing", "Finance", "Engineering", "Research & Development", "Support", "Customer Success",
        "Human Resources", "Legal", "Operations", "Procurement", "Facilities", "Security", "IT", "Product",
        "Design", "Data", "Platform", "Infrastructure", "Partners", "Recruiting", "Payroll", "Compliance",
        "Communications", "Training", "Quality", "Logistics", "Supply Chain", "Field Service", "Account Management",
    ]
    static let kinds = [
        "Staff", "Team", "Leads", "Managers", "Approvers", "Admins", "Newsletter", "Announcements", "Distribution",
        "All Hands", "Contractors", "Interns", "Project", "Working Group", "Committee", "On-Call", "Readers", "Editors",
        "Owners", "Champions",
    ]
    static let projects = [
        "Apollo", "Borealis", "Cobalt", "Delta", "Everest", "Falcon", "Gemini", "Helix", "Ion", "Juniper", "Kestrel",
        "Lumen", "Meridian", "Nimbus", "Orion", "Polaris", "Quasar", "Raven", "Sirius", "Titan", "Umbra", "Vega",
        "Willow", "Xenon", "Yukon", "Zephyr",
    ]

    /// `count` mail-enabled security groups with names built from shared words (so that many
    /// share prefixes, as in a real tenant), each with a mail; plus the names themselves.
    static func make(count: Int) -> (directory: GraphDoubleDirectory, names: [String]) {
        var random = SplitMix(state: 0x5EED)
        var groups: [JSONObject] = []
        var names: [String] = []
        var seen = Set<String>()
        groups.reserveCapacity(count)
        var n = 0
        while groups.count < count {
            n += 1
            let region = regions.randomElement(using: &random)!
            let place = places.randomElement(using: &random)!
            let team = teams.randomElement(using: &random)!
            let kind = kinds.randomElement(using: &random)!
            let project = projects.randomElement(using: &random)!
            var name: String
            switch random.next() % 8 {
            case 0: name = "\(region) \(team) \(kind)"
            case 1: name = "\(place) \(team)"
            case 2: name = "\(place) Office \(kind)"
            case 3:
                name =
                    "SG-\(region)-\(team.replacingOccurrences(of: " ", with: ""))-\(kind.replacingOccurrences(of: " ", with: ""))"
            case 4: name = "Project \(project) \(kind)"
            case 5: name = "\(team) – \(place)"
            case 6: name = "\(region) \(place) \(team) \(kind)"
            default: name = "\(team) \(kind) (\(region))"
            }
            if seen.contains(name) { name += " \(n % 1000)" }
            guard seen.insert(name).inserted else { continue }
            let slug = name.lowercased().folding(options: .diacriticInsensitive, locale: nil)
                .map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
                .split(separator: "-").joined(separator: "-")
            let id = "10000000-0000-4000-8000-" + String(format: "%012d", groups.count)
            groups.append([
                "id": .string(id),
                "displayName": .string(name),
                "mail": .string("\(slug)@contoso.example"),
                "mailEnabled": true,
                "securityEnabled": true,
                "groupTypes": .array([]),
            ])
            names.append(name)
        }
        return (GraphDoubleDirectory(users: [], groups: groups), names)
    }

    /// Type-ahead queries: for `people` random names, each prefix of 1…6 characters, as someone
    /// typing it (in that order).
    static func queries(names: [String], people: Int) -> [String] {
        var random = SplitMix(state: 0xC0FFEE)
        var queries: [String] = []
        for _ in 0..<people {
            let name = names.randomElement(using: &random)!
            for length in 1...min(6, name.count) { queries.append(String(name.prefix(length))) }
        }
        return queries
    }
}

/// Values appended from many tasks.
final class Collector<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    init() {}
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}
