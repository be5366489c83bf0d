import ComfyCore
import ComfyLive
import Foundation

/// `COMFYSH_TRACE=FILE`: every log line of the fleet's state, with the server whose action
/// wrote it, and every HTTP exchange (method, path, status, a summary of queue and history
/// answers) appended to FILE. For post-mortems of `comfysh-bench chaos --fleet --keep`.
enum RunTrace {
    static func start(_ fleet: ComfyFleet) async -> Task<Void, Never>? {
        guard let path = ProcessInfo.processInfo.environment["COMFYSH_TRACE"], !path.isEmpty else { return nil }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        handle.seekToEndOfFile()
        let out = TraceSink(handle)
        out.write("--- comfysh \(getpid()) started")
        await fleet.setTap { name, entry in
            switch entry {
            case .http(_, let method, let path, let status, _, let response):
                var summary = ""
                if path.hasSuffix("/queue"), method == "GET" {
                    let running = response["queue_running"]?.arrayValue?.compactMap { $0.arrayValue?.count ?? 0 > 1 ? $0.arrayValue?[1].stringValue : nil } ?? []
                    let pending = response["queue_pending"]?.arrayValue?.compactMap { $0.arrayValue?.count ?? 0 > 1 ? $0.arrayValue?[1].stringValue : nil } ?? []
                    summary = " running \(running.map { String($0.prefix(8)) }) pending \(pending.map { String($0.prefix(8)) })"
                } else if path.contains("/history") {
                    let keys = response.objectValue?.map { String($0.key.prefix(8)) } ?? []
                    summary = " entries \(keys.prefix(8))\(keys.count > 8 ? "…" : "")"
                } else if path.hasSuffix("/prompt"), method == "POST" {
                    summary = " → \(response["prompt_id"]?.stringValue?.prefix(8) ?? "-") #\(response["number"]?.doubleValue.map { "\(Int($0))" } ?? "-")"
                }
                out.write("\(name) http \(method) \(path) \(status)\(summary)")
            case .open(_, let socket, _): out.write("\(name) socket \(socket) open")
            case .close(_, let socket): out.write("\(name) socket \(socket) close")
            case .text(_, _, true, let text) where !text.contains("\"progress") && !text.contains("\"executed\""):
                out.write("\(name) frame \(text.prefix(160))")
            default: break
            }
        }
        let updates = fleet.updates()
        return Task {
            for await update in updates {
                let change = update.change
                for entry in change.new.log.entries(after: change.old.log.total) {
                    out.write("\(change.action.server ?? "-") log \(entry.kind.rawValue): \(entry.message)")
                }
            }
        }
    }
}

final class TraceSink: @unchecked Sendable {
    let handle: FileHandle
    let lock = NSLock()
    init(_ handle: FileHandle) { self.handle = handle }
    func write(_ line: String) {
        let stamp = String(format: "%.3f", Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1000))
        lock.lock()
        handle.write(Data("\(stamp) \(line)\n".utf8))
        lock.unlock()
    }
}
