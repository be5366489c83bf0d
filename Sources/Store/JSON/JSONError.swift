/// Why a byte sequence is not the JSON we accept. `offset` is a byte offset into the
/// input, so a protocol error can point at the exact spot.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong (`expected a string`, `trailing data`…).
    public var reason: String
    /// Where, as a byte offset into the input.
    public var offset: Int

    /// An error for `reason` at byte `offset`.
    public init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// `reason at byte offset`.
    public var description: String { "\(reason) at byte \(offset)" }
}
