import ComfyCore

extension ComfyUISimulator {
    /// A sample API-format graph for `comfysh --demo`, like the fixtures' progress graph:
    /// `EmptyImage → TestProgressLoop` (10 steps of 0.15 s, previews and progress text)
    /// `→ SaveImage`, and `→ ImageInvert → PreviewImage`. Submit it as the `prompt` of
    /// `POST /prompt`; it takes about 1.5 s at the recorded pace.
    public static var demoWorkflow: JSONValue {
        func node(_ classType: String, _ title: String, _ inputs: KeyValuePairs<String, JSONValue>) -> JSONValue {
            .object(["class_type": .string(classType), "inputs": .object(inputs), "_meta": .object(["title": .string(title)])])
        }
        return .object([
            "1": node("EmptyImage", "Empty Image", ["width": 64, "height": 64, "batch_size": 1, "color": 10_366_706]),
            "2": node(
                "TestProgressLoop", "Progress Loop",
                [
                    "image": ["1", 0], "steps": 10, "delay": 0.15, "preview": true, "preview_size": 64, "progress_text": true,
                    "seed": 1,
                ]),
            "3": node("ImageInvert", "Invert Image", ["image": ["2", 0]]),
            "4": node("PreviewImage", "Preview Image", ["images": ["3", 0]]),
            "5": node("SaveImage", "Save Image", ["images": ["2", 0], "filename_prefix": "comfysh/demo"]),
        ])
    }
}
