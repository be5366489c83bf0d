import ArgumentParser
import ComfyLive
import Foundation
import ComfyCore

/// How to reach the server: shared by every subcommand that talks to one.
struct ServerOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The server: http(s)://host:port[/base]. Default: $COMFY_URL, else http://127.0.0.1:8188.", valueName: "url"))
    var server: String?

    @Option(name: .customLong("header"), help: ArgumentHelp("An extra header for every request and the WebSocket upgrade, as 'Name: value' (repeatable). Never logged.", valueName: "header"))
    var headers: [String] = []

    @Option(help: ArgumentHelp("The client id to connect with (default: the one kept in $XDG_STATE_HOME/comfysh/client_id).", valueName: "id"))
    var clientID: String?

    @Option(help: ArgumentHelp("A PEM file of extra CA certificates to trust for https/wss (verification stays on).", valueName: "file"))
    var cacert: String?

    @Option(help: "Seconds to wait for the server before giving up (exit 3).")
    var connectTimeout: Double = 10

    @Option(help: "Seconds between pings; a peer that misses one is dead (found within two).")
    var heartbeat: Double = 10

    @Option(help: "Seconds a prompt of ours may run with no event before the server is probed.")
    var stallTimeout: Double = 30

    /// The configuration, or a message for the user (exit 2).
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageProblem) -> ClientConfiguration {
        let url = server ?? environment["COMFY_URL"] ?? "http://127.0.0.1:8188"
        let endpoint: ServerEndpoint
        do { endpoint = try ServerEndpoint(url) } catch { throw UsageProblem("bad server URL: \(error)") }
        var configuration = ClientConfiguration(endpoint: endpoint, clientID: clientID ?? ClientIdentity.persistent())
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw UsageProblem("bad --header \(JSONWriter.quoted(Redaction.redactHeader(header))): expected 'Name: value'")
            }
            let name = header[..<colon].trimmingCharacters(in: .whitespaces)
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { throw UsageProblem("bad --header name \(JSONWriter.quoted(name))") }
            configuration.headers.append((name, value))
        }
        if let token = environment["COMFY_TOKEN"], !token.isEmpty,
            !configuration.headers.contains(where: { $0.name.lowercased() == "authorization" })
        {
            configuration.headers.append(("Authorization", "Bearer \(token)"))
        }
        if let cacert {
            guard FileManager.default.isReadableFile(atPath: cacert) else { throw UsageProblem("--cacert \(cacert): cannot read it") }
            configuration.extraCAFile = cacert
        }
        guard connectTimeout > 0 else { throw UsageProblem("--connect-timeout must be positive") }
        guard heartbeat >= 0.05 else { throw UsageProblem("--heartbeat must be at least 0.05 seconds") }
        guard stallTimeout >= 0.1 else { throw UsageProblem("--stall-timeout must be at least 0.1 seconds") }
        configuration.connectTimeout = .milliseconds(Int(connectTimeout * 1000))
        configuration.heartbeat = .milliseconds(Int(heartbeat * 1000))
        configuration.stallTimeout = .milliseconds(Int(stallTimeout * 1000))
        return configuration
    }
}

/// A problem with what the user gave us: one line, exit status 2.
struct UsageProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Secrets never reach the terminal, logs or files.
enum Redaction {
    /// `Authorization: Bearer abc` → `Authorization: ***`.
    static func redactHeader(_ header: String) -> String {
        guard let colon = header.firstIndex(of: ":") else { return "***" }
        return header[...colon] + " ***"
    }

    /// The extra headers as they may be shown: `Authorization: ***, X-Api-Key: ***`, or `-`.
    static func headerNames(_ headers: [(name: String, value: String)]) -> String {
        headers.isEmpty ? "-" : headers.map { "\($0.name): ***" }.joined(separator: ", ")
    }

    /// A command line as it may be kept (history): a password in a URL
    /// (`http://me:pw@host`) and token-like query values (`?token=…`) become `***`.
    static func redactLine(_ line: String) -> String {
        var text = line
        text = text.replacingOccurrences(
            of: #"(://[^/\s:@]*:)[^@\s/]+@"#, with: "$1***@", options: .regularExpression)
        text = text.replacingOccurrences(
            of: #"([?&](?:token|access_token|api_key|apikey|key|password|auth)=)[^&\s]+"#, with: "$1***",
            options: [.regularExpression, .caseInsensitive])
        return text
    }
}
