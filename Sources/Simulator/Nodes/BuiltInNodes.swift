/// The node classes the simulator runs: the fixtures' test pack (`TestProgressLoop`,
/// `TestSleep`, `TestFail`) and the built-ins they are wired to. Declarations follow the
/// recorded `GET /object_info/{class}` answers of ComfyUI 0.33.0 (http_misc.jsonl);
/// `ImageInvert` and `SaveImage`, not recorded, follow the core nodes.
enum BuiltInNodes {
    static let all: [NodeClass] = [emptyImage, imageInvert, progressLoop, sleep, fail, previewImage, saveImage]

    private static let seed = InputSpec("seed", "INT", .object(["default": .int(0), "min": .int(0), "max": .int(4_294_967_295)]))
    private static let image = InputSpec("image", "IMAGE")
    private static let testPack = "custom_nodes.comfy_test_nodes"

    static let emptyImage = NodeClass(
        name: "EmptyImage", displayName: "Empty Image", description: "", category: "image", pythonModule: "nodes",
        required: [
            InputSpec("width", "INT", .object(["default": .int(512), "min": .int(1), "max": .int(16384), "step": .int(1)])),
            InputSpec("height", "INT", .object(["default": .int(512), "min": .int(1), "max": .int(16384), "step": .int(1)])),
            InputSpec("batch_size", "INT", .object(["default": .int(1), "min": .int(1), "max": .int(4096)])),
            InputSpec(
                "color", "INT",
                .object(["default": .int(0), "min": .int(0), "max": .int(16_777_215), "step": .int(1), "display": .string("color")])),
        ],
        hidden: [], outputs: ["IMAGE"], outputNames: ["IMAGE"], isOutputNode: false, searchAliases: [],
        essentialsCategory: nil, behaviour: .instant)

    static let imageInvert = NodeClass(
        name: "ImageInvert", displayName: "Invert Image", description: "", category: "image", pythonModule: "nodes",
        required: [image], hidden: [], outputs: ["IMAGE"], outputNames: ["IMAGE"], isOutputNode: false,
        searchAliases: [], essentialsCategory: nil, behaviour: .instant)

    static let progressLoop = NodeClass(
        name: "TestProgressLoop", displayName: "Test: Progress Loop (previews)", description: "", category: "comfy_test",
        pythonModule: testPack,
        required: [
            image,
            InputSpec("steps", "INT", .object(["default": .int(10), "min": .int(1), "max": .int(1000)])),
            InputSpec("delay", "FLOAT", .object(["default": .float(0.2), "min": .float(0), "max": .float(10), "step": .float(0.01)])),
            InputSpec("preview", "BOOLEAN", .object(["default": .bool(true)])),
            InputSpec("preview_size", "INT", .object(["default": .int(64), "min": .int(8), "max": .int(512)])),
            InputSpec("progress_text", "BOOLEAN", .object(["default": .bool(false)])),
            seed,
        ],
        hidden: [("unique_id", "UNIQUE_ID")], outputs: ["IMAGE"], outputNames: ["IMAGE"], isOutputNode: false,
        searchAliases: [], essentialsCategory: nil, behaviour: .progressLoop)

    static let sleep = NodeClass(
        name: "TestSleep", displayName: "Test: Sleep (interruptible)", description: "", category: "comfy_test",
        pythonModule: testPack,
        required: [
            image,
            InputSpec("seconds", "FLOAT", .object(["default": .float(30), "min": .float(0), "max": .float(3600), "step": .float(0.1)])),
            InputSpec("tick", "FLOAT", .object(["default": .float(1), "min": .float(0.05), "max": .float(60), "step": .float(0.05)])),
            seed,
        ],
        hidden: [], outputs: ["IMAGE"], outputNames: ["IMAGE"], isOutputNode: false, searchAliases: [],
        essentialsCategory: nil, behaviour: .sleep)

    static let fail = NodeClass(
        name: "TestFail", displayName: "Test: Fail", description: "", category: "comfy_test", pythonModule: testPack,
        required: [
            image,
            InputSpec("message", "STRING", .object(["default": .string("TestFail: deliberate failure")])),
            InputSpec("steps_before_fail", "INT", .object(["default": .int(0), "min": .int(0), "max": .int(100)])),
            seed,
        ],
        hidden: [], outputs: ["IMAGE"], outputNames: ["IMAGE"], isOutputNode: false, searchAliases: [],
        essentialsCategory: nil, behaviour: .fail)

    static let previewImage = NodeClass(
        name: "PreviewImage", displayName: "Preview Image",
        description: "Preview the images without saving them to the ComfyUI output directory.", category: "image",
        pythonModule: "nodes", required: [InputSpec("images", "IMAGE")],
        hidden: [("prompt", "PROMPT"), ("extra_pnginfo", "EXTRA_PNGINFO")], outputs: ["IMAGE"], outputNames: ["images"],
        isOutputNode: true,
        searchAliases: ["preview", "preview image", "show image", "view image", "display image", "image viewer"],
        essentialsCategory: "Basics", behaviour: .previewImage)

    static let saveImage = NodeClass(
        name: "SaveImage", displayName: "Save Image", description: "Saves the input images to your ComfyUI output directory.",
        category: "image", pythonModule: "nodes",
        required: [
            InputSpec("images", "IMAGE", .object(["tooltip": .string("The images to save.")])),
            InputSpec(
                "filename_prefix", "STRING",
                .object([
                    "default": .string("ComfyUI"),
                    "tooltip": .string(
                        "The prefix for the file to save. This may include formatting information such as %date:yyyy-MM-dd% or %Empty Latent Image.width% to include values from nodes."
                    ),
                ])),
        ],
        hidden: [("prompt", "PROMPT"), ("extra_pnginfo", "EXTRA_PNGINFO")], outputs: [], outputNames: [],
        isOutputNode: true, searchAliases: ["save", "save image", "export image", "output image", "write image"],
        essentialsCategory: "Basics", behaviour: .saveImage)
}
