import ComfyCore

/// Why `ComfyClient.open` could not connect, with the one line to show. Scripts get their
/// exit status from `kind`: a refusal is the user's input (wrong credentials), the rest
/// mean the server could not be reached as a ComfyUI server.
public struct ConnectionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure it was: what a script's exit status is decided from.
    public enum Kind: Sendable, Equatable {
        /// No answer at all (refused, timed out, TLS…).
        case unreachable
        /// 401/403: check the headers or token.
        case refused
        /// Something answers HTTP there, but not as ComfyUI.
        case notComfyUI
        /// No retry can help (`ConnectionProblem.isHopeless`).
        case hopeless
        /// The WebSocket did not come up within the connect timeout.
        case timedOut
    }

    /// What kind of failure it was.
    public var kind: Kind
    /// Unreachable or slow: trying again may help (a fleet keeps trying it in the
    /// background); otherwise the server is given up for good.
    public var isTransient: Bool { kind == .unreachable || kind == .timedOut }
    /// The underlying problem, when there was one.
    public var problem: ConnectionProblem?
    /// The one line to show a person.
    public var description: String

    /// A failure of `kind`, with its underlying problem and the line to show.
    public init(_ kind: Kind, problem: ConnectionProblem? = nil, _ description: String) {
        self.kind = kind
        self.problem = problem
        self.description = description
    }
}

/// How the wait for a client's first connection ended (`ComfyClient.ready(within:)`).
public enum Readiness: Sendable, Equatable {
    /// Connected and resynced: requests go out now.
    case online
    /// The client gave up (401/403); it is not reconnecting.
    case gaveUp(ConnectionProblem)
    /// An attempt failed in a way no retry can turn around (the client keeps trying).
    case hopeless(ConnectionProblem)
    /// Not yet; the client keeps trying. The latest attempt's problem, if any.
    case notYet(ConnectionProblem?)
}
