import ArgumentParser
import ComfyChaos
import ComfyCore
import ComfySimulator
import Foundation

/// `comfysh-bench convert-all`: converts editor workflows with comfysh's converter, for
/// `scripts/convert-diff.py`, which compares the prompts with comfy-cli's and sends them
/// to a real server. Hidden: a tool for that script, not a figure.
///
/// Prints one JSON object per file: `{"file", "ms", "prompt"}` or `{"file", "ms",
/// "error"}`, plus `"simulator"` (the simulated server's answer with the same catalog).
struct ConvertAllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert-all",
        abstract: "Convert editor workflows to API prompts (for scripts/convert-diff.py).",
        shouldDisplay: false
    )

    @Option(help: "A recorded GET /object_info answer.")
    var objectInfo: String

    @Flag(help: "Also validate each prompt with the simulator, loaded with the same catalog.")
    var simulate = false

    @Flag(help: "Print the prompt as it would be sent: saved seeds kept (--seed fixed), dynamic prompts resolved with a fixed random seed.")
    var materialize = false

    @Option(help: "Convert each file this many times and report the fastest (for timing).")
    var repeats = 1

    @Argument(help: "Editor workflow files.")
    var files: [String]

    func run() throws {
        let info = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: objectInfo))))
        let catalog = NodeCatalog(objectInfo: info)
        let simulator = simulate ? SimulatorCatalog(recordedObjectInfo: info) : nil
        let converter = WorkflowConverter(catalog: catalog)
        for file in files {
            var fields = [JSONField("file", .string(file))]
            do {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
                var best = Double.infinity
                var outcome: Result<APIPrompt, ConversionError>!
                for _ in 0..<max(1, repeats) {
                    let start = Monotonic.now()
                    // Parsing is part of the cost a user sees, so it is inside the timing.
                    let workflow = try EditorWorkflow(json: try JSONValue.parse(bytes))
                    outcome = Result(catching: { () throws(ConversionError) -> APIPrompt in try converter.convert(workflow) })
                    best = min(best, Monotonic.seconds(from: start, to: Monotonic.now()) * 1000)
                }
                fields.append(JSONField("ms", .number(best)))
                switch outcome! {
                case .success(let converted):
                    var prompt = converted
                    if materialize {
                        var random = SeededRandom(seed: 1)
                        prompt = PromptMaterializer(catalog: catalog, seeds: .fixed).submission(converted, using: &random)
                    }
                    fields.append(JSONField("prompt", prompt.json))
                    if let simulator {
                        let check = simulator.validate(prompt.json)
                        fields.append(
                            JSONField(
                                "simulator",
                                .object([
                                    JSONField("status", .number(Double(check.status))), JSONField("error", check.error ?? .null),
                                    JSONField("node_errors", check.nodeErrors),
                                ])))
                    }
                case .failure(let error):
                    fields.append(JSONField("error", .string(error.description)))
                }
            } catch {
                fields.append(JSONField("error", .string("\(error)")))
            }
            print(JSONWriter.string(.object(fields)))
        }
    }
}
