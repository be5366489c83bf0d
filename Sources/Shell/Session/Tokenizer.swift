/// Splits a command line into words: spaces separate, single or double quotes group,
/// a backslash escapes the next character (so file names with spaces work).
enum Tokenizer {
    struct Unterminated: Error, CustomStringConvertible {
        var description: String { "unterminated quote" }
    }

    static func words(_ line: String) throws(Unterminated) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in line {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            if c == "\\", quote != "'" {
                escaped = true
                inWord = true
                continue
            }
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
                continue
            }
            if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if quote != nil { throw Unterminated() }
        if inWord { words.append(current) }
        return words
    }
}
