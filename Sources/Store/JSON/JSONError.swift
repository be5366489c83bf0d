/// Why a byte sequence is not the JSON we accept. `offset` is a byte offset into the
/// input, so a protocol error can point at the exact spot.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var offset: Int

    public init(_ reason: String, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "\(reason) at byte \(offset)" }
}
