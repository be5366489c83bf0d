import Foundation

/// Ids and clocks the server hands out.
enum Identifiers {
    /// A prompt id: a lowercase UUID4, as `str(uuid.uuid4())`.
    static func newPromptID() -> String { UUID().uuidString.lowercased() }

    /// A socket id for a connection without `clientId`: `uuid.uuid4().hex`.
    static func newClientID() -> String { UUID().uuidString.lowercased().filter { $0 != "-" } }

    /// Whether `text` is a UUID in canonical lowercase hyphenated form, the only form a
    /// client-chosen `prompt_id` may take.
    static func isCanonicalUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (i, b) in bytes.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard b == UInt8(ascii: "-") else { return false }
            } else {
                guard (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f"))
                else { return false }
            }
        }
        return true
    }

    /// `int(time.time() * 1000)`: the `timestamp` of lifecycle messages.
    static func nowMillis() -> Int { Int(Date().timeIntervalSince1970 * 1000) }

    /// Five random lowercase letters: the per-start prefix of temp files
    /// (`ComfyUI_temp_uuyvv_00001_.png`).
    static func tempPrefix() -> String {
        String((0..<5).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement()! })
    }
}
