import ComfyCore
import Foundation
import TOMLKit

/// Which servers a fleet has, and its policy, from wherever a person said it: `--server`
/// options (`URL` or `NAME=URL`, repeatable), else `$COMFY_URL` (a comma-separated list),
/// else `servers.toml` in `$XDG_CONFIG_HOME/comfysh/`, else `http://127.0.0.1:8188`.
///
/// ```toml
/// [fleet]
/// max_waiting_per_server = 1   # jobs of ours waiting on a server beyond the one it runs
/// rerun_limit = 2              # runs again of a job that had started, after its server was lost
///
/// [[server]]
/// name = "gpu1"
/// url = "http://10.0.0.5:8188"
///
/// [[server]]
/// name = "gpu2"
/// url = "https://gpu2.lan:8188"
/// headers = ["Authorization: Bearer …"]
/// cacert = "/etc/comfy/ca.pem"
/// ```
public struct FleetSettings: Sendable, Equatable {
    public var servers: [ServerSettings]
    public var policy: FleetPolicy

    /// The file read when neither `--server` nor `$COMFY_URL` names a server.
    public static func configPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/comfysh/servers.toml"
    }

    /// Resolves the fleet. `base` carries what applies to every server given on the command
    /// line (headers, CA file, timeouts); a server in the file may add its own headers and CA.
    public static func resolve(
        servers flags: [String], base: ServerSettings, policy: FleetPolicy = FleetPolicy(),
        environment: [String: String] = ProcessInfo.processInfo.environment, configPath: String? = nil
    ) throws(ServerSettings.Problem) -> FleetSettings {
        var policy = policy
        var named: [(name: String?, url: String)]
        var extra: [String: (headers: [String], cacert: String?)] = [:]
        if !flags.isEmpty {
            named = []
            for flag in flags { named.append(try Self.split(flag)) }
        } else if let list = environment["COMFY_URL"], !list.trimmingCharacters(in: .whitespaces).isEmpty {
            named = []
            for part in list.split(separator: ",") { named.append(try Self.split(String(part).trimmingCharacters(in: .whitespaces))) }
        } else {
            let path = configPath ?? Self.configPath(environment: environment)
            if let file = try ServersFile.read(path) {
                named = file.server?.map { ($0.name, $0.url) } ?? []
                for server in file.server ?? [] { extra[server.name ?? server.url] = (server.headers ?? [], server.cacert) }
                if let n = file.fleet?.max_waiting_per_server { policy.maxWaitingPerServer = n }
                if let n = file.fleet?.rerun_limit { policy.rerunLimit = n }
                guard !named.isEmpty else { throw ServerSettings.Problem("\(path): no [[server]] entries") }
            } else {
                named = [(nil, ServerSettings.defaultURL)]
            }
        }
        var settings: [ServerSettings] = []
        var taken: Set<String> = []
        for (name, url) in named {
            var one = base
            one.url = url
            var chosen = name ?? Self.defaultName(url)
            if name != nil, taken.contains(chosen) { throw ServerSettings.Problem("two servers are named \(chosen)") }
            var n = 2
            while taken.contains(chosen) {
                chosen = (name ?? Self.defaultName(url)) + "-\(n)"
                n += 1
            }
            taken.insert(chosen)
            one.name = chosen
            if let more = extra[name ?? url] {
                one.headers += more.headers
                one.cacert = more.cacert ?? one.cacert
            }
            settings.append(one)
        }
        return FleetSettings(servers: settings, policy: policy)
    }

    /// `NAME=URL` or `URL` (a name is letters, digits, `-`, `_`, `.`).
    public static func split(_ text: String) throws(ServerSettings.Problem) -> (name: String?, url: String) {
        guard let equals = text.firstIndex(of: "="), !text[..<equals].contains("://") else { return (nil, text) }
        let name = String(text[..<equals])
        let url = String(text[text.index(after: equals)...])
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ServerSettings.Problem("bad server name \(JSONWriter.quoted(name)) in \(JSONWriter.quoted(text)): letters, digits, '-', '_' and '.' only")
        }
        guard !url.isEmpty else { throw ServerSettings.Problem("no URL for server \(name)") }
        return (name, url)
    }

    /// `host:port` of a URL (what a server without a name is called).
    static func defaultName(_ url: String) -> String {
        guard let endpoint = try? ServerEndpoint(url) else { return url }
        let description = endpoint.description
        let rest = description.split(separator: "://", maxSplits: 1).last.map(String.init) ?? description
        return String(rest.prefix { $0 != "/" })
    }

    /// Each server's client configuration (its name set).
    public func configurations(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ServerSettings.Problem) -> [ClientConfiguration] {
        try servers.map { server throws(ServerSettings.Problem) in try server.configuration(environment: environment) }
    }
}

/// `servers.toml`.
struct ServersFile: Decodable {
    struct Fleet: Decodable {
        var max_waiting_per_server: Int?
        var rerun_limit: Int?
    }

    struct Server: Decodable {
        var name: String?
        var url: String
        var headers: [String]?
        var cacert: String?
    }

    var fleet: Fleet?
    var server: [Server]?

    /// The file at `path`, nil if there is none; a file that cannot be read says where.
    static func read(_ path: String) throws(ServerSettings.Problem) -> ServersFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ServerSettings.Problem("\(path): cannot read it") }
        do { return try TOMLDecoder().decode(ServersFile.self, from: text) } catch {
            throw ServerSettings.Problem("\(path): \(error)")
        }
    }
}
