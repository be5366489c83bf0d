import Synchronization

/// Names one value of a `ServerState`, so the diff can tell a server the action did not
/// touch without comparing it (`StateDiff.servers`).
///
/// Why: an action writes one server of the fleet, but the diff compared all of them — and
/// each comparison read both servers out of the arrays (a server's state is some 900 bytes
/// with dozens of references), most of a progress tick's dispatch+diff in a fleet of 32.
///
/// The rule: every stored property of `ServerState` resets the stamp (`didSet`), and
/// the reducer stamps the servers it wrote once the action is reduced
/// (`AppState.stampServers`). So two servers with one non-zero stamp are copies of one
/// value, written by nobody since. Zero is "not stamped": compared field by field.
/// Not part of equality: all stamps compare equal.
struct ServerStamp: Sendable, Equatable {
    private(set) var value: UInt64 = 0

    /// Whether `a` and `b` are known to be one value.
    static func same(_ a: ServerStamp, _ b: ServerStamp) -> Bool { a.value != 0 && a.value == b.value }

    static func == (a: ServerStamp, b: ServerStamp) -> Bool { true }

    /// A stamp no other value has (atomic: states are made on many threads).
    static func fresh() -> ServerStamp { ServerStamp(value: counter.add(1, ordering: .relaxed).newValue) }

    private static let counter = Atomic<UInt64>(0)
}

extension AppState {
    /// Gives each server written since it was last stamped a new stamp: at the end of every
    /// reduction, so the next diff skips the servers it did not write.
    mutating func stampServers() {
        for index in servers.indices where servers[index].stamp.value == 0 { servers[index].stamp = .fresh() }
    }
}
