import Foundation
import ComfyCore

/// Tab completion: command names, then prompt ids or file paths depending on the command.
enum ShellCompletion {
    static func completer(store: ComfyStore) -> @Sendable (_ line: String, _ cursor: Int) -> [String] {
        { line, cursor in candidates(line: String(line.prefix(cursor)), state: store.state) }
    }

    static func candidates(line: String, state: AppState) -> [String] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let current = line.hasSuffix(" ") || words.isEmpty ? "" : words.last!
        let position = line.hasSuffix(" ") ? words.count : max(words.count - 1, 0)
        if position == 0 {
            return (REPL.names + ["exit"]).filter { $0.hasPrefix(current) }.sorted()
        }
        switch words[0] {
        case "cancel", "interrupt", "history", "outputs":
            return state.queue.orderedIDs.filter { $0.hasPrefix(current) }
        case "submit":
            return (current.isEmpty || "demo".hasPrefix(current) ? ["demo"] : []) + paths(current)
        case "record", "replay":
            return paths(current)
        case "state":
            return AppState.sliceNames.filter { $0.hasPrefix(current) }
        case "diff":
            return ["on", "off", "verbose"].filter { $0.hasPrefix(current) }
        case "trace":
            return ["on", "off"].filter { $0.hasPrefix(current) }
        case "help":
            return REPL.names.filter { $0.hasPrefix(current) }
        default:
            return []
        }
    }

    /// Files and folders starting with `partial` (folders end with "/").
    static func paths(_ partial: String) -> [String] {
        let expanded = partial.hasPrefix("~") ? NSString(string: partial).expandingTildeInPath : partial
        let slash = expanded.lastIndex(of: "/")
        let directory = slash.map { String(expanded[...$0]) } ?? ""
        let stem = slash.map { String(expanded[expanded.index(after: $0)...]) } ?? expanded
        let shown = partial.lastIndex(of: "/").map { String(partial[...$0]) } ?? ""
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return [] }
        return names.filter { $0.hasPrefix(stem) && (!$0.hasPrefix(".") || stem.hasPrefix(".")) }.sorted().map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory + name, isDirectory: &isDirectory)
            return shown + name + (isDirectory.boolValue ? "/" : "")
        }
    }
}
