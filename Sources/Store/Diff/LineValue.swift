/// A diff line's `old` or `new` value: built, or a recipe that builds it when read.
///
/// Why a recipe: when the job at the head of a queue of 10 000 leaves, the line is
/// `~ queue.waiting: [10 000 ids] → [9 999 ids]`. Building both lists (and later freeing
/// them) was most of a completion's dispatch+diff, though a front end that hides or cuts
/// the line never looks at them. The recipe keeps the two orders it reads (shared
/// chunks: O(1) to keep) and builds the very same `JSONValue` on every read.
enum LineValue: Sendable {
    case built(JSONValue?)
    case deferred(@Sendable () -> JSONValue)

    /// The value, built now if it was deferred (each read builds it again: a line is read
    /// once or twice, by whoever prints or sends it, and most are never read).
    var value: JSONValue? {
        switch self {
        case .built(let value): value
        case .deferred(let make): make()
        }
    }
}
