extension PromptRecord {
    /// A record's rarely set fields (outputs, failures, a job's placement and body…),
    /// held in one copy-on-write box (`PromptRecord.extras`) so that copying a record —
    /// which the reducer does on every write — retains one reference for all of them.
    struct Extras: Sendable, Equatable {
        var clientID: String?
        var cached: [String] = []
        var outputs: [JSONField] = []
        var error: Failure?
        var interrupted: Failure?
        var warnings: [NodeError] = []
        var pinned: [String]?
        var excluded: [String] = []
        var sentTo: [String] = []
        var refusals: [String] = []
        var label: String?
        var workflowKey: String?
        var resubmitBody: JSONValue?

        /// The box: shared by copies of a record until one of them writes (then that one
        /// gets a box of its own: `PromptRecord.uniqueExtras`). Never written while shared,
        /// so it is safe to send.
        final class Box: @unchecked Sendable, Equatable {
            var value: Extras
            init(_ value: Extras) { self.value = value }

            /// The box of a new record (nothing set): shared, so creating a record allocates
            /// no box until a field of it is written.
            static let empty = Box(Extras())

            static func == (a: Box, b: Box) -> Bool { a === b || a.value == b.value }
        }
    }
}
