import ComfyLive
import ComfyCore

/// The chaos run's prompts: an image through a progress loop (previews, progress text)
/// or through a node that fails, saved. A seed per prompt keeps the server's cache from
/// answering a prompt without running it.
enum ChaosWorkflow {
    static func make(steps: Int, fails: Bool, seed: UInt64) -> Workflow {
        let middle: JSONValue = fails
            ? .object(["class_type": "TestFail", "inputs": .object([
                "image": ["1", 0], "message": "chaos: by design", "steps_before_fail": 1, "seed": .number(Double(seed)),
            ])])
            : .object(["class_type": "TestProgressLoop", "inputs": .object([
                "image": ["1", 0], "steps": .number(Double(steps)), "delay": 0.01, "preview": true,
                "preview_size": 16, "progress_text": true, "seed": .number(Double(seed)),
            ])])
        return Workflow(name: "chaos", graph: .object([
            "1": .object(["class_type": "EmptyImage", "inputs": .object(["width": 16, "height": 16, "batch_size": 1, "color": 0])]),
            "2": middle,
            "3": .object(["class_type": "SaveImage", "inputs": .object(["images": ["2", 0], "filename_prefix": "chaos/run"])]),
        ]))
    }
}
