import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation
import Synchronization

/// What Tab offers after `submit FILE --set` (or `--vary`): first the nodes — their titles
/// (when no other node has the same) and ids, each followed by "." — then, once a node is
/// named, its inputs as `NODE.INPUT=`. The inputs are the settable ones of the file as
/// converted with the first of the fleet's catalogues that converts it (an API-format file
/// without a catalogue: its literal inputs). Blanks in titles are escaped (`Positive\ Prompt.`)
/// as the shell's tokenizer reads them.
enum InputCompletion {
    struct Node: Sendable, Equatable {
        var id: String
        var title: String
        var inputs: [String]
    }

    static func candidates(_ partial: String, file: String, state: AppState) -> [String] {
        candidates(partial, nodes: nodes(file: file, state: state))
    }

    static func candidates(_ partial: String, nodes: [Node]) -> [String] {
        let titles = Dictionary(grouping: nodes, by: \.title).filter { $0.value.count == 1 }
        let ids = Set(nodes.map(\.id))
        var names: [(name: String, node: Node)] = []
        for node in nodes where titles[node.title] != nil && !ids.contains(node.title) { names.append((escaped(node.title), node)) }
        for node in nodes { names.append((escaped(node.id), node)) }
        let named = names.filter { partial.hasPrefix($0.name + ".") }
        if !named.isEmpty {
            return named.flatMap { name in name.node.inputs.map { "\(name.name).\(escaped($0))=" } }.filter { $0.hasPrefix(partial) }
        }
        return names.map { $0.name + "." }.filter { $0.hasPrefix(partial) }
    }

    /// A backslash before each character the tokenizer would otherwise read.
    static func escaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == " " || c == "\t" || c == "\\" || c == "\"" || c == "'" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    // MARK: The file's nodes

    /// The nodes of `file` with their settable inputs; nothing for a file that cannot be
    /// read or converted. Kept for the same file (path, size, time) and catalogues, so Tab
    /// after Tab reads and converts it once.
    static func nodes(file: String, state: AppState) -> [Node] {
        let capabilities = state.servers.compactMap(\.capabilities).filter { $0.catalog != nil }
        let attributes = try? FileManager.default.attributesOfItem(atPath: file)
        let key = Key(
            path: file, size: (attributes?[.size] as? NSNumber)?.intValue ?? -1,
            modified: (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0,
            catalogs: capabilities.map { ObjectIdentifier($0) })
        if let cached = cache.withLock({ $0?.key == key ? $0?.nodes : nil }) { return cached }
        let nodes = read(file, catalogs: capabilities.compactMap(\.catalog))
        cache.withLock { $0 = (key, nodes) }
        return nodes
    }

    static func read(_ file: String, catalogs: [NodeCatalog]) -> [Node] {
        let source: WorkflowFile
        if file == "demo" {
            source = WorkflowFile(name: file, json: ComfyUISimulator.demoWorkflow, isEditorFormat: false)
        } else {
            guard let loaded = try? WorkflowFile.load(path: file) else { return [] }
            source = loaded
        }
        var prompt: APIPrompt?
        var catalog = catalogs.first
        if source.isEditorFormat {
            guard let workflow = try? EditorWorkflow(json: source.json) else { return [] }
            for candidate in catalogs {
                if let converted = try? WorkflowConverter(catalog: candidate).convert(workflow) {
                    (prompt, catalog) = (converted, candidate)
                    break
                }
            }
        } else {
            prompt = APIPrompt(apiJSON: source.json)
        }
        guard let prompt else { return [] }
        return prompt.nodes.compactMap { node in
            let inputs = node.inputs.filter { input in
                guard case .value = input.value else { return false }
                return catalog.map { WorkflowInputs.settable(input.name, of: node, catalog: $0) != nil } ?? true
            }.map(\.name)
            return inputs.isEmpty ? nil : Node(id: node.id, title: node.title, inputs: inputs)
        }
    }

    struct Key: Equatable {
        var path: String
        var size: Int
        var modified: Double
        var catalogs: [ObjectIdentifier]
    }

    static let cache = Mutex<(key: Key, nodes: [Node])?>(nil)
}

/// The words of a `submit` line.
enum SubmitLine {
    /// Options that take a value (the next word).
    static let valued: Set<String> = ["--set", "--vary", "--seed", "--on"]
    static let options = ["--set", "--vary", "--seed", "--front", "--watch", "--on"]

    /// The workflow file: the first word after `submit` that is neither an option nor an
    /// option's value.
    static func file(_ words: [String]) -> String? {
        var index = 1
        while index < words.count {
            let word = words[index]
            if valued.contains(word) {
                index += 2
            } else if word.hasPrefix("--") {
                index += 1
            } else {
                return word
            }
        }
        return nil
    }
}
