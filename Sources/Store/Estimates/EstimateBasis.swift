/// How an ETA was made, from the surest to the least sure. The JSON forms are the values of
/// `eta_basis` (state's `progress`, `run --json`'s progress events).
public enum EstimateBasis: String, Sendable, Equatable, Comparable, CaseIterable {
    /// What is left was learned from earlier runs of this workflow (on this server, or on
    /// another), the running node's steps at their measured rate.
    case workflow
    /// Some of what is left was learned only from the same nodes in other workflows (the
    /// same class and settings, or the class alone).
    case nodeClass = "node_class"
    /// Some of what is left has never been seen: the ETA is the time known to be left (the
    /// running node's steps, the nodes learned), and the real one is longer.
    case lowerBound = "lower_bound"

    private var rank: Int {
        switch self {
        case .workflow: 0
        case .nodeClass: 1
        case .lowerBound: 2
        }
    }

    /// The surer first.
    public static func < (a: EstimateBasis, b: EstimateBasis) -> Bool { a.rank < b.rank }
}
