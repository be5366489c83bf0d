import Foundation
import ComfyCore

/// Tab completion: command names, then prompt ids or file paths depending on the command;
/// after `submit FILE --set` or `--vary`, the file's node ids and titles, then their inputs.
enum ShellCompletion {
    static func completer(store: ComfyStore) -> @Sendable (_ line: String, _ cursor: Int) -> [String] {
        { line, cursor in candidates(line: String(line.prefix(cursor)), state: store.state) }
    }

    static func candidates(line: String, state: AppState) -> [String] {
        let current = String(Completion.word(beforeCursor: line))
        let words = Self.words(String(line.dropLast(current.count)))
        let position = words.count
        if position == 0 {
            return (REPL.names + ["exit"]).filter { $0.hasPrefix(current) }.sorted()
        }
        switch words[0] {
        case "cancel", "interrupt", "history", "outputs":
            return state.queue.orderedIDs.filter { $0.hasPrefix(current) }
        case "submit":
            switch words.last {
            case "--set", "--vary":
                guard let file = SubmitLine.file(words) else { return [] }
                return InputCompletion.candidates(current, file: file, state: state)
            case "--seed":
                return SeedPolicy.allCases.map(\.rawValue).filter { $0.hasPrefix(current) }
            case "--on":
                return state.servers.map(\.name).filter { $0.hasPrefix(current) }
            default:
                if current.hasPrefix("-") { return SubmitLine.options.filter { $0.hasPrefix(current) } }
                guard SubmitLine.file(words) == nil else { return [] }
                return (current.isEmpty || "demo".hasPrefix(current) ? ["demo"] : []) + paths(current)
            }
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

    /// The words of a line as the tokenizer reads them (an unterminated quote is not an
    /// error here).
    static func words(_ line: String) -> [String] { Tokenizer.partialWords(line) }

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
