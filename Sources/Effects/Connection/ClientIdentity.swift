import Foundation

/// The client id we connect and submit with. The server routes a prompt's events only to
/// the socket registered under the id that submitted it, so the id must survive
/// reconnects and restarts: it is kept in `$XDG_STATE_HOME/comfysh/client_id` (or
/// `~/.local/state/comfysh/client_id`), mode 0600.
public enum ClientIdentity {
    /// The folder comfysh keeps its state files in.
    public static func stateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("comfysh")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/state/comfysh")
    }

    /// The persisted id, created on first use. Falls back to a fresh id (for this run only)
    /// when the folder cannot be written, rather than failing.
    public static func persistent(in directory: URL = stateDirectory()) -> String {
        let file = directory.appendingPathComponent("client_id")
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if isValid(id) { return id }
        }
        let id = generate()
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            _ = FileManager.default.createFile(
                atPath: file.path, contents: Data((id + "\n").utf8), attributes: [.posixPermissions: 0o600])
        }
        catch {}
        return id
    }

    /// 32 lowercase hex characters, like the ids the server invents.
    public static func generate() -> String {
        UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 128 && id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
    }
}
