import Foundation

/// Blanks out what legitimately differs between a recorded frame and a simulated one —
/// prompt and socket ids, timestamps, file counters, the random temp-file prefix — so
/// that everything else (types, key order, number formats, separators) can be compared
/// byte for byte.
enum Normalizer {
    private static let rules: [(pattern: String, replacement: String)] = [
        ("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>"),
        ("[0-9a-f]{32}", "<hex>"),
        ("\"(timestamp|create_time)\": ?[0-9]+", "\"$1\": 0"),
        ("_[0-9]{5}_\\.png", "_N_.png"),
        ("ComfyUI_temp_[a-z]{5}_", "ComfyUI_temp_x_"),
        ("\\[[0-9]+, ?\"<uuid>\"", "[N, \"<uuid>\""),
    ]

    static func normalize(_ text: String) -> String {
        var text = text
        for rule in rules {
            text = text.replacingOccurrences(of: rule.pattern, with: rule.replacement, options: .regularExpression)
        }
        return text
    }

    /// For `execution_error`: the inputs (a tensor printout on the server) and the
    /// order of `current_outputs` (a set there) are not compared.
    static func normalizeError(_ text: String) -> String {
        guard let inputs = text.range(of: "\"current_inputs\": "), let outputs = text.range(of: ", \"current_outputs\": "),
            let timestamp = text.range(of: ", \"timestamp\": ")
        else { return normalize(text) }
        let ids = text[outputs.upperBound..<timestamp.lowerBound]
            .trimmingCharacters(in: CharacterSet(charactersIn: "[]")).components(separatedBy: ", ").sorted()
        let rebuilt = String(text[..<inputs.upperBound]) + "{…}" + String(text[outputs.lowerBound..<outputs.upperBound])
            + "[" + ids.joined(separator: ", ") + "]" + String(text[timestamp.lowerBound...])
        return normalize(rebuilt)
    }
}
