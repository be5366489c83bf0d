import ArgumentParser
import ComfyLive
import Foundation
import ComfyCore

/// How to reach the servers: shared by every subcommand that talks to them.
struct ServerOptions: ParsableArguments {
    @Option(
        name: .customLong("server"),
        help: ArgumentHelp(
            "A server: http(s)://host:port[/base], or NAME=URL (repeatable: a fleet). Default: $COMFY_URL (a comma-separated list), else the servers in $XDG_CONFIG_HOME/comfysh/servers.toml, else http://127.0.0.1:8188.",
            valueName: "url"))
    var servers: [String] = []

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

    /// What the options say of every server, for the live layer (the first `--server`'s URL).
    var settings: ServerSettings {
        var settings = ServerSettings(url: servers.first.map { (try? FleetSettings.split($0))?.url ?? $0 })
        settings.headers = headers
        settings.clientID = clientID
        settings.cacert = cacert
        settings.connectTimeout = connectTimeout
        settings.heartbeat = heartbeat
        settings.stallTimeout = stallTimeout
        return settings
    }

    /// The first server's configuration (for one server), or a message for the user (exit 2).
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageProblem) -> ClientConfiguration {
        guard let first = try fleet(environment: environment).servers.first else { throw UsageProblem("no server") }
        do { return try first.configuration(environment: environment) } catch { throw UsageProblem(error.description) }
    }

    /// The fleet the options, the environment and servers.toml describe.
    func fleet(
        policy: FleetPolicy = FleetPolicy(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(UsageProblem) -> FleetSettings {
        var base = settings
        base.url = nil
        do { return try FleetSettings.resolve(servers: servers, base: base, policy: policy, environment: environment) } catch {
            throw UsageProblem(error.description)
        }
    }

    /// Each server's configuration, with `policy`'s rerun limit.
    func configurations(
        policy: FleetPolicy, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(UsageProblem) -> (FleetSettings, [ClientConfiguration]) {
        let fleet = try fleet(policy: policy, environment: environment)
        do {
            let configurations = try fleet.configurations(environment: environment).map { configuration -> ClientConfiguration in
                var configuration = configuration
                configuration.resubmitLimit = fleet.policy.rerunLimit
                return configuration
            }
            return (fleet, configurations)
        } catch { throw UsageProblem(error.description) }
    }
}

/// A problem with what the user gave us: one line, exit status 2.
struct UsageProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
