import CEditLine
import ComfyLive
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The line editor's history (libedit's `History`), kept in a file when there is one: the
/// last 1000 lines, an immediate repeat stored once, secrets redacted, blank lines and lines
/// starting with a space left out. The file is private (0600; its folder, when we create it,
/// 0700) and written whole on every change, so a crash loses at most the line being typed.
///
/// Used on the terminal thread only (libedit is not thread-safe).
final class HistoryFile {
    /// The most lines kept (what readline's `stifle_history(1000)` does).
    static let capacity: Int32 = 1000

    /// libedit's history, for `EL_HIST`.
    let handle: OpaquePointer
    /// Where it is kept; nil: in memory only.
    let file: URL?

    /// Loads `file` (creating its folder) if there is one; nil when libedit has no history.
    init?(file: URL?) {
        guard let handle = history_init() else { return nil }
        self.handle = handle
        self.file = file
        _ = ceditline_history_set_size(handle, Self.capacity)
        _ = ceditline_history_set_unique(handle, 1)  // an immediate repeat is not stored again
        if let file {
            try? FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            _ = ceditline_history_load(handle, file.path)
        }
    }

    /// Ends libedit's history: only once no editor uses it any more (after `el_end`).
    deinit {
        history_end(handle)
    }

    /// The number of lines held.
    var count: Int32 { ceditline_history_count(handle) }

    /// Blank lines and lines starting with a space (a way to keep a secret out) are not kept.
    static func belongsInHistory(_ line: String) -> Bool {
        !line.hasPrefix(" ") && !line.allSatisfy(\.isWhitespace)
    }

    /// Adds an entered line (if it belongs) and saves the file when the history changed.
    func add(_ line: String) {
        guard Self.belongsInHistory(line) else { return }
        let before = count
        // Redacted as it is stored: what is written to the file is what history recalls.
        _ = ceditline_history_enter(handle, Redaction.redactLine(line))
        // Full, the count stays at the cap although the oldest line made room for this one.
        if count != before || before >= Self.capacity { save() }
    }

    /// Writes the whole history to a temporary file (mode 0600) and renames it over the old
    /// one, so a crash leaves either file whole.
    func save() {
        guard let file else { return }
        let temporary = file.path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = fchmod(fd, 0o600)
        guard let stream = fdopen(fd, "w") else {
            close(fd)
            unlink(temporary)
            return
        }
        let saved = ceditline_history_save_fp(handle, stream)
        let closed = fclose(stream)
        if saved >= 0 && closed == 0 {
            rename(temporary, file.path)
        }
        else {
            unlink(temporary)
        }
    }
}
