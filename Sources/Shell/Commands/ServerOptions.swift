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

    /// What the options say, for the live layer.
    var settings: ServerSettings {
        var settings = ServerSettings(url: server)
        settings.headers = headers
        settings.clientID = clientID
        settings.cacert = cacert
        settings.connectTimeout = connectTimeout
        settings.heartbeat = heartbeat
        settings.stallTimeout = stallTimeout
        return settings
    }

    /// The configuration, or a message for the user (exit 2).
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageProblem) -> ClientConfiguration {
        do { return try settings.configuration(environment: environment) } catch { throw UsageProblem(error.description) }
    }
}

/// A problem with what the user gave us: one line, exit status 2.
struct UsageProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
