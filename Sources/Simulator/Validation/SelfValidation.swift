/// Node classes of ComfyUI 0.33.0 that validate some inputs themselves
/// (`VALIDATE_INPUTS` / `validate_inputs`), which `/object_info` does not show. The
/// server skips its own range and choice checks for those inputs (for all of them when
/// the function takes `**kwargs`), and runs the function instead. The file loaders'
/// function (the file exists) is emulated with the recorded choices, which list the
/// server's input files; the others accept what they are given.
struct SelfValidation {
    /// The inputs the function takes.
    let inputs: Set<String>
    /// It takes `**kwargs`: every input.
    let allInputs: Bool
    /// It takes `input_types`: the server does not compare link types for the node.
    let checksLinkTypes: Bool
    /// A file loader: the input and the word of its message (`Invalid image file: …`).
    let file: (input: String, kind: String)?

    func covers(_ input: String) -> Bool { allInputs || inputs.contains(input) }

    private init(_ inputs: Set<String>, allInputs: Bool = false, checksLinkTypes: Bool = true, file: (String, String)? = nil) {
        self.inputs = inputs
        self.allInputs = allInputs
        self.checksLinkTypes = checksLinkTypes
        self.file = file
    }

    static let byClass: [String: SelfValidation] = [
        "LoadImage": SelfValidation(["image"], file: ("image", "image")),
        "LoadImageMask": SelfValidation(["image"], file: ("image", "image")),
        "LoadImageOutput": SelfValidation(["image"], file: ("image", "image")),
        "WebcamCapture": SelfValidation(["image"], file: ("image", "image")),
        "LoadLatent": SelfValidation(["latent"], file: ("latent", "latent")),
        "LoadVideo": SelfValidation(["file"], file: ("file", "video")),
        "LoadAudio": SelfValidation(["audio"], file: ("audio", "audio")),
        "Load3D": SelfValidation(["model_file"], allInputs: true, file: ("model_file", "3D model")),
        "Load3DAdvanced": SelfValidation(["model_file"], allInputs: true, file: ("model_file", "3D model")),
        "ComfySoftSwitchNode": SelfValidation(["switch", "on_false", "on_true"]),
        "SelectModelDevice": SelfValidation(["device"]),
        "SelectCLIPDevice": SelfValidation(["device"]),
        "SelectVAEDevice": SelfValidation(["device"]),
        "ModelAttentionBackend": SelfValidation(["attention"]),
        "FluxProUltraImageNode": SelfValidation(["aspect_ratio"]),
        "TripoConversionNode": SelfValidation(["input_types"], checksLinkTypes: false),
        "CustomCombo": SelfValidation(["choice", "index"], allInputs: true),
    ]

    /// `custom_validation_failed` when a file loader's file is not among the server's.
    func fileError(_ inputs: [PyField], spec: InputSpec?) -> PyJSON? {
        guard let (name, kind) = file, let value = inputs.first(where: { $0.key == name })?.value,
            case .string(let text) = value, let choices = spec?.choices
        else { return nil }
        if kind == "3D model", text.isEmpty || text == "none" { return nil }
        if choices.contains(.string(text)) { return nil }
        return PromptValidator.reason(
            "custom_validation_failed", "Custom validation failed for node", details: "\(name) - Invalid \(kind) file: \(text)",
            extra: .object(["input_name": .string(name)]))
    }
}
