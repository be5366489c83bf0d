import ComfyCore

/// Short, id-free names for frames, so a simulated run can be compared with a recorded
/// one: `status(1)`, `executing(5)`, `progress(3/10)`,
/// `progress_state(1:finished:1/1,2:running:3/10)`, `binary(4)`, `binary(3:2:step 1/10)`.
enum FrameToken {
    static func make(_ frame: ReceivedFrame) -> String {
        switch frame.kind {
        case .binary(let bytes): return binary(bytes)
        case .text(let text): return Self.text(text)
        }
    }

    static func text(_ text: String) -> String {
        guard let json = try? JSONValue.parse(text), let type = json["type"]?.stringValue else { return "text(?)" }
        let data = json["data"] ?? .null
        switch type {
        case "status":
            let remaining = data["status"]?["exec_info"]?["queue_remaining"]?.intValue ?? -1
            return data["sid"] == nil ? "status(\(remaining))" : "status(\(remaining),sid)"
        case "execution_cached":
            return "execution_cached(\(ids(data["nodes"])))"
        case "executing":
            let node = data["node"]?.stringValue ?? "null"
            return data["prompt_id"] == nil ? "executing(\(node),replay)" : "executing(\(node))"
        case "executed":
            return "executed(\(data["node"]?.stringValue ?? "?"))"
        case "progress":
            return "progress(\(number(data["value"]))/\(number(data["max"])))"
        case "progress_state":
            let nodes = (data["nodes"]?.objectValue ?? []).map { field in
                "\(field.key):\(field.value["state"]?.stringValue ?? "?"):\(number(field.value["value"]))/\(number(field.value["max"]))"
            }
            return "progress_state(\(nodes.joined(separator: ",")))"
        case "execution_error", "execution_interrupted":
            return "\(type)(\(data["node_id"]?.stringValue ?? "?"))"
        default:
            return type
        }
    }

    static func binary(_ bytes: [UInt8]) -> String {
        guard bytes.count >= 4 else { return "binary(?)" }
        let type = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard type == 3, bytes.count >= 8 else { return "binary(\(type))" }
        let length = Int(bytes[4]) << 24 | Int(bytes[5]) << 16 | Int(bytes[6]) << 8 | Int(bytes[7])
        guard bytes.count >= 8 + length else { return "binary(3:?)" }
        let node = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        let text = String(decoding: bytes[(8 + length)...], as: UTF8.self)
        return "binary(3:\(node):\(text))"
    }

    private static func ids(_ value: JSONValue?) -> String {
        (value?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
    }

    private static func number(_ value: JSONValue?) -> String {
        value?.doubleValue.map(JSONWriter.number) ?? "?"
    }
}
