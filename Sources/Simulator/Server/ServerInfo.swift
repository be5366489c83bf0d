/// The static answers: feature flags, `/system_stats`. Shapes follow http_misc.jsonl
/// (ComfyUI 0.33.0); the version says it is the simulator.
enum ServerInfo {
    static let version = "0.33.0-sim"

    /// The server's flags, sent in reply to a client's `feature_flags` and served at
    /// `GET /features`.
    static let featureFlags = PyJSON.object([
        "supports_preview_metadata": .bool(true),
        "supports_model_type_tags": .bool(true),
        "max_upload_size": .int(104_857_600),
        "extension": .object(["manager": .object(["supports_v4": .bool(true)])]),
        "node_replacements": .bool(true),
        "assets": .bool(false),
    ])

    static let systemStats: PyJSON = {
        let ram = PyJSON.int(17_179_869_184)
        let free = PyJSON.int(12_884_901_888)
        func package(_ name: String, _ version: String) -> PyJSON {
            .object(["name": .string(name), "installed": .string(version), "required": .string(version)])
        }
        return .object([
            "system": .object([
                "os": .string("linux"),
                "ram_total": ram,
                "ram_free": free,
                "comfyui_version": .string(version),
                "required_frontend_version": .string("1.49.6"),
                "installed_templates_version": .string("0.11.44"),
                "required_templates_version": .string("0.11.44"),
                "comfy_package_versions": .array([
                    package("comfyui-frontend-package", "1.49.6"), package("comfyui-workflow-templates", "0.11.44"),
                ]),
                "python_version": .string("3.11.7 (simulated)"),
                "pytorch_version": .string("none (simulated)"),
                "embedded_python": .bool(false),
                "deploy_environment": .string("simulator"),
                "argv": .strings(["main.py", "--cpu"]),
            ]),
            "devices": .array([
                .object([
                    "name": .string("cpu"), "type": .string("cpu"), "index": .null, "vram_total": ram, "vram_free": free,
                    "torch_vram_total": ram, "torch_vram_free": free,
                ])
            ]),
        ])
    }()
}
