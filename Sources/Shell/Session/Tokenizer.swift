/// Splits a command line into words: spaces separate, single or double quotes group,
/// a backslash escapes the next character (so file names with spaces work).
enum Tokenizer {
    struct Unterminated: Error, CustomStringConvertible {
        var description: String { "unterminated quote" }
    }

    static func words(_ line: String) throws(Unterminated) -> [String] {
        let (words, open) = split(line)
        if open { throw Unterminated() }
        return words
    }

    /// The words as far as they go, for completion: a line being typed may well end
    /// inside a quote.
    static func partialWords(_ line: String) -> [String] { split(line).words }

    /// The words, and whether the line ended inside a quote.
    private static func split(_ line: String) -> (words: [String], open: Bool) {
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
        if inWord { words.append(current) }
        return (words, quote != nil)
    }
}
