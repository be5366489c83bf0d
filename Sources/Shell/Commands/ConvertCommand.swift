import ArgumentParser
import ComfyCore
import Foundation

/// `comfysh convert FILE`: an editor workflow as the API prompt the editor would send.
public struct ConvertCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a workflow saved by the editor to the API format, for a given server.",
        discussion: """
            The editor's format (what its plain "Save" writes: nodes, links, subgraphs) is \
            converted with the server's GET /object_info, as the editor itself converts it \
            when it queues (docs/workflows.md): widget values by input order, links through \
            reroutes, bypassed nodes passed through, muted nodes and notes left out, \
            subgraphs flattened. A file in the API format is read as it is. What cannot be \
            converted faithfully (a class the server lacks, a value only the editor can \
            capture) is an error naming the node.

            --set NODE.INPUT=VALUE changes an input first (NODE: a node id, or a title no \
            other node has); --vary NODE.INPUT=a,b,c or =1..8 makes one prompt per value, one \
            per combination with several. Values are checked against the input's type, range \
            and choices. A seed whose "control after generate" is randomize gets a fresh \
            value, as the editor gives one each time it queues (--seed fixed keeps the saved \
            values). `comfysh inputs FILE` lists what can be set.

            Output: the prompt as JSON; with --vary, one JSON object per line, \
            {"label", "prompt"}. Exit status: 0 converted; 2 bad input (the file, an option, \
            an input or value); 3 the server could not be reached.
            """
    )

    @Argument(help: ArgumentHelp("A workflow file: the editor's format or the API format.", valueName: "workflow.json"),
              completion: .file(extensions: ["json"]))
    var file: String

    @OptionGroup var server: ServerOptions
    @OptionGroup var catalogOptions: CatalogOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write the output here instead of standard output.", valueName: "file"))
    var output: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Set an input: NODE.INPUT=VALUE (repeatable).", valueName: "NODE.INPUT=VALUE"))
    var sets: [String] = []

    @Option(name: .customLong("vary"), help: ArgumentHelp("One prompt per value: NODE.INPUT=a,b,c or =1..8 (repeatable: the cross product).", valueName: "NODE.INPUT=VALUES"))
    var varies: [String] = []

    @Option(help: ArgumentHelp("saved: each control as saved (randomize gets a fresh value); fixed: keep every saved value; randomize: a fresh value for every widget with a control.", valueName: "saved|fixed|randomize"))
    var seed: String = "saved"

    public init() {}

    public func run() async throws {
        let text: String
        do throws(WorkflowSource.Failure) {
            text = try await prompts()
        } catch {
            Terminal.error("comfysh convert: \(error)")
            throw ExitCode(error.exitCode)
        }
        guard let path = output else { return Terminal.print(text) }
        guard FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8)) else {
            Terminal.error("comfysh convert: \(path): cannot write it")
            throw ExitCode(2)
        }
    }

    func prompts() async throws(WorkflowSource.Failure) -> String {
        guard let policy = SeedPolicy(rawValue: seed) else {
            throw .input("--seed \(JSONWriter.quoted(seed)): expected saved, fixed or randomize")
        }
        let overrides: [InputOverride]
        let variations: [Variation]
        do {
            overrides = try sets.map { argument throws(InputError) in try InputOverride.parse(argument) }
            variations = try varies.map { argument throws(InputError) in try Variation.parse(argument) }
        } catch { throw .input(error.description) }
        let json = try WorkflowSource.read(file)
        let catalog = try await WorkflowSource.catalog(catalogOptions, server: server)
        var prompt = try WorkflowSource.prompt(json, from: file, catalog: catalog)
        let combinations: [Combination]
        do {
            combinations = try Variations.combinations(variations, prompt: prompt, catalog: catalog, fixed: overrides)
            try prompt.apply(overrides, catalog: catalog)
        } catch { throw .input(error.description) }
        let materializer = PromptMaterializer(catalog: catalog, seeds: policy)
        var random = SystemRandomNumberGenerator()
        if variations.isEmpty {
            return JSONWriter.string(materializer.submission(prompt, using: &random).json, pretty: true)
        }
        return combinations.enumerated().map { index, combination in
            let sent = materializer.submission(prompt.applying(combination, catalog: catalog), index: index, using: &random)
            return JSONWriter.string(.object([JSONField("label", .string(combination.label)), JSONField("prompt", sent.json)]))
        }.joined(separator: "\n")
    }
}
