/// `--set`, `--vary` and `--seed` as given, parsed: one type for `comfysh convert`, `run`
/// and the shell's `submit`. They are checked against a catalogue in `prepare`, before
/// anything is sent.
public struct WorkflowChoices: Sendable, Hashable {
    public var overrides: [InputOverride]
    public var variations: [Variation]
    public var seeds: SeedPolicy

    public init(overrides: [InputOverride] = [], variations: [Variation] = [], seeds: SeedPolicy = .asSaved) {
        self.overrides = overrides
        self.variations = variations
        self.seeds = seeds
    }

    /// The options as typed: `--set` arguments, `--vary` arguments, `--seed`'s word.
    public static func parse(sets: [String], varies: [String], seed: String = SeedPolicy.asSaved.rawValue) throws(InputError) -> WorkflowChoices {
        guard let policy = SeedPolicy(rawValue: seed) else {
            throw InputError("--seed \(JSONWriter.quoted(seed)): expected saved, fixed or randomize")
        }
        let overrides = try sets.map { argument throws(InputError) in try InputOverride.parse(argument) }
        let variations = try varies.map { argument throws(InputError) in try Variation.parse(argument) }
        return WorkflowChoices(overrides: overrides, variations: variations, seeds: policy)
    }

    /// Something is set or varied. Without, a file in the API format is sent as it is,
    /// and needs no catalogue.
    public var changesInputs: Bool { !overrides.isEmpty || !variations.isEmpty }
}

/// One prompt to submit, made from a workflow file.
public struct PreparedPrompt: Sendable, Hashable {
    /// The `--vary` values it was made with (`KSampler.seed=1 KSampler.cfg=7`); nil
    /// without `--vary`.
    public var label: String?
    /// The API-format graph as made with the catalogue it was checked against: what that
    /// server is sent, and what routing reads (its classes and listed values).
    public var graph: JSONValue
    /// For a file in the editor's format: the job each server converts with its own
    /// catalogue (the same graph for a server with the same catalogue).
    public var job: EditorJob?

    public init(label: String?, graph: JSONValue, job: EditorJob?) {
        self.label = label
        self.graph = graph
        self.job = job
    }
}

/// Why a workflow file gives no prompt.
public enum WorkflowProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file: not a workflow, an editor file that cannot be read or converted.
    case file(String)
    /// A `--set`, `--vary` or `--seed` argument.
    case input(InputError)
    /// No catalogue to convert with or to check values against.
    case noCatalog

    public var description: String {
        switch self {
        case .file(let message): message
        case .input(let error): error.description
        case .noCatalog: "no server's node catalogue (GET /object_info) is known, and the workflow needs one"
        }
    }

    /// The message, with the file's name first when it is about the file.
    public func message(file: String) -> String {
        if case .file(let message) = self { return "\(file): \(message)" }
        return description
    }
}

extension WorkflowChoices {
    /// The prompts to submit for the workflow file `json`: one, or one per `--vary`
    /// combination (the first `--vary` changing slowest).
    ///
    /// A file in the editor's format is converted with the first of `catalogs` (the fleet's
    /// servers, in order) that can convert it; `--set` and `--vary` are checked against that
    /// catalogue, and each prompt's controls (seeds) and `{a|b}` choices are decided here,
    /// once, with `random`. The job keeps all of it so that any server converts it to the
    /// same prompt. A file in the API format is sent as it is, unless something is set or
    /// varied (which needs a catalogue).
    public func prepare(
        _ json: JSONValue, catalogs: [NodeCatalog], using random: inout some RandomNumberGenerator
    ) throws(WorkflowProblem) -> [PreparedPrompt] {
        let editor: Bool
        var prompt: APIPrompt
        let catalog: NodeCatalog
        let format = WorkflowFormat.detect(json)
        switch format {
        case .unknown(let why):
            throw .file("not a workflow: \(why)")
        case .api, .apiRequest:
            // A whole POST /prompt body: its graph.
            let graph = format == .apiRequest ? json["prompt"] ?? .null : json
            guard changesInputs else { return [PreparedPrompt(label: nil, graph: graph, job: nil)] }
            guard let first = catalogs.first else { throw .noCatalog }
            (editor, prompt, catalog) = (false, APIPrompt(apiJSON: graph), first)
        case .editor:
            guard !catalogs.isEmpty else { throw .noCatalog }
            let workflow: EditorWorkflow
            do { workflow = try EditorWorkflow(json: json) } catch { throw .file(error.description) }
            var firstError: ConversionError?
            var converted: (APIPrompt, NodeCatalog)?
            for candidate in catalogs {
                do {
                    converted = (try WorkflowConverter(catalog: candidate).convert(workflow), candidate)
                    break
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            guard let converted else { throw .file(firstError?.description ?? "cannot be converted") }
            (editor, prompt, catalog) = (true, converted.0, converted.1)
            if prompt.nodes.isEmpty {
                throw .file("the workflow has no node to send (it is empty, or every node is a note, muted or bypassed)")
            }
        }
        let combinations: [Combination]
        let set: [Combination.Assignment]
        do {
            set = try prompt.apply(overrides, catalog: catalog)
            combinations = try Variations.combinations(variations, prompt: prompt, catalog: catalog, fixed: overrides)
        } catch { throw .input(error) }
        let materializer = PromptMaterializer(catalog: catalog, seeds: seeds)
        var out: [PreparedPrompt] = []
        for (index, combination) in combinations.enumerated() {
            let chosen = prompt.applying(combination, catalog: catalog)
            let sent = materializer.submission(chosen, index: index, using: &random)
            let job = editor
                ? EditorJob(
                    workflow: json,
                    values: set.map { EditorJob.Value($0, from: "--set") } + combination.values.map { EditorJob.Value($0, from: "--vary") }
                        + Self.decided(from: chosen, to: sent))
                : nil
            out.append(PreparedPrompt(label: variations.isEmpty ? nil : combination.label, graph: sent.json, job: job))
        }
        return out
    }

    /// The values the materializer decided: every input whose value it changed.
    static func decided(from chosen: APIPrompt, to sent: APIPrompt) -> [EditorJob.Value] {
        var out: [EditorJob.Value] = []
        for (before, after) in zip(chosen.nodes, sent.nodes) {
            for (old, new) in zip(before.inputs, after.inputs) where old.value != new.value {
                guard case .value(let value) = new.value else { continue }
                out.append(EditorJob.Value(node: after.id, input: new.name, value: value, from: old.control != nil ? "control" : "dynamic prompt"))
            }
        }
        return out
    }
}
