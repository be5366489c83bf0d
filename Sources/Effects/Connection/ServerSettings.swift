import Foundation
import ComfyCore

/// How to reach a server, as a person gives it — a URL, extra headers, a CA file,
/// timeouts — with the environment's defaults (`$COMFY_URL`, `$COMFY_TOKEN`), checked and
/// turned into a `ClientConfiguration`. Every front end reads its options into one of these.
public struct ServerSettings: Sendable, Equatable {
    /// `http(s)://host:port[/base]`; nil: `$COMFY_URL`, else `defaultURL`.
    public var url: String?
    /// The server's name in a fleet; nil: `host:port`.
    public var name: String?
    /// Extra headers as `Name: value`, for every request and the WebSocket upgrade.
    public var headers: [String] = []
    /// nil: the id kept in `$XDG_STATE_HOME/comfysh/client_id`.
    public var clientID: String?
    /// A PEM file of extra CA certificates to trust (verification stays on).
    public var cacert: String?
    /// Seconds to wait for the server before giving up.
    public var connectTimeout = 10.0
    /// Seconds between pings; a peer that misses one is dead (found within two).
    public var heartbeat = 10.0
    /// Seconds a prompt of ours may run with no event before the server is probed.
    public var stallTimeout = 30.0

    /// ComfyUI's default address on this machine: used when neither the settings nor
    /// `$COMFY_URL` give one.
    public static let defaultURL = "http://127.0.0.1:8188"

    /// Settings for `url` (nil: `$COMFY_URL`, else ``defaultURL``), every other option at its
    /// default.
    public init(url: String? = nil) { self.url = url }

    /// A problem with what the user gave: one line.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        /// What is wrong, in one line.
        public var description: String
        /// A problem described in one line.
        public init(_ description: String) { self.description = description }
    }

    /// The configuration, or what is wrong with the settings. `$COMFY_TOKEN`, when set, is
    /// sent as a bearer token unless an `Authorization` header was given.
    public func configuration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Problem) -> ClientConfiguration {
        let url = url ?? environment["COMFY_URL"] ?? Self.defaultURL
        let endpoint: ServerEndpoint
        do { endpoint = try ServerEndpoint(url) } catch { throw Problem("bad server URL: \(error)") }
        var configuration = ClientConfiguration(endpoint: endpoint, clientID: clientID ?? ClientIdentity.persistent())
        configuration.name = name
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw Problem("bad --header \(JSONWriter.quoted(Redaction.redactHeader(header))): expected 'Name: value'")
            }
            let name = header[..<colon].trimmingCharacters(in: .whitespaces)
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { throw Problem("bad --header name \(JSONWriter.quoted(name))") }
            configuration.headers.append((name, value))
        }
        if let token = environment["COMFY_TOKEN"], !token.isEmpty,
            !configuration.headers.contains(where: { $0.name.lowercased() == "authorization" })
        {
            configuration.headers.append(("Authorization", "Bearer \(token)"))
        }
        if let cacert {
            guard FileManager.default.isReadableFile(atPath: cacert) else { throw Problem("--cacert \(cacert): cannot read it") }
            configuration.extraCAFile = cacert
        }
        guard connectTimeout > 0 else { throw Problem("--connect-timeout must be positive") }
        guard heartbeat >= 0.05 else { throw Problem("--heartbeat must be at least 0.05 seconds") }
        guard stallTimeout >= 0.1 else { throw Problem("--stall-timeout must be at least 0.1 seconds") }
        configuration.connectTimeout = .milliseconds(Int(connectTimeout * 1000))
        configuration.heartbeat = .milliseconds(Int(heartbeat * 1000))
        configuration.stallTimeout = .milliseconds(Int(stallTimeout * 1000))
        return configuration
    }
}
