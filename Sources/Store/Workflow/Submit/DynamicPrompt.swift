/// The editor's dynamic prompts (`processDynamicPrompt`): in a STRING input whose schema
/// sets `dynamicPrompts`, `/* … */` and `// …` comments are removed and each `{a|b|c}` is
/// replaced by one of its options, chosen at random (nested groups too). `\{`, `\}` and
/// `\|` stand for the characters themselves.
///
/// The editor does this each time it queues, so two runs of `{red|blue} hat` may differ;
/// and a `//` in such a text (a URL) cuts the rest of its line, as in the editor.
public enum DynamicPrompt {
    public static func resolve(_ text: String, using random: inout some RandomNumberGenerator) -> String {
        var parser = Parser(characters: Array(stripComments(text)))
        var out = ""
        while let c = parser.next() {
            if c == "\\" {
                out += parser.escape()
            } else if c == "{" {
                let options = parser.choiceBlock()
                let chosen = options[Int(Double.random(in: 0..<1, using: &random) * Double(options.count))]
                out += resolve(chosen, using: &random)
            } else {
                out.append(c)
            }
        }
        return unescape(out)
    }

    /// Whether resolving can change the text at all.
    public static func hasSyntax(_ text: String) -> Bool {
        text.contains("{") || text.contains("//") || text.contains("/*") || text.contains("\\")
    }

    /// Removes `/* … */` (across lines) and `// …` (to the end of the line).
    static func stripComments(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            if chars[i] == "/", i + 1 < chars.count {
                if chars[i + 1] == "*", let end = closing(chars, from: i + 2) {
                    i = end
                    continue
                }
                if chars[i + 1] == "/" {
                    while i < chars.count, !isLineBreak(chars[i]) { i += 1 }
                    continue
                }
            }
            out.append(chars[i])
            i += 1
        }
        return out
    }

    /// The index just past the `*/` that closes a block comment, if there is one.
    private static func closing(_ chars: [Character], from start: Int) -> Int? {
        var j = start
        while j + 1 < chars.count {
            if chars[j] == "*", chars[j + 1] == "/" { return j + 2 }
            j += 1
        }
        return nil
    }

    private static func isLineBreak(_ c: Character) -> Bool {
        c == "\n" || c == "\r" || c == "\r\n" || c == "\u{2028}" || c == "\u{2029}"
    }

    /// `\{` → `{`, `\}` → `}`, `\|` → `|`; other escapes stay as written.
    static func unescape(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            if chars[i] == "\\", i + 1 < chars.count, "{}|".contains(chars[i + 1]) {
                out.append(chars[i + 1])
                i += 2
                continue
            }
            out.append(chars[i])
            i += 1
        }
        return out
    }

    struct Parser {
        let characters: [Character]
        var index = 0

        mutating func next() -> Character? {
            guard index < characters.count else { return nil }
            defer { index += 1 }
            return characters[index]
        }

        /// After a backslash: the backslash and the character it escapes, kept for the
        /// final unescape.
        mutating func escape() -> String {
            guard let c = next() else { return "\\" }
            return "\\" + String(c)
        }

        /// After `{`: the options up to the matching `}` (or the end of the text).
        mutating func choiceBlock() -> [String] {
            var options: [String] = []
            var choice = ""
            var depth = 0
            while let c = next() {
                if c == "\\" {
                    choice += escape()
                    continue
                } else if c == "{" {
                    depth += 1
                } else if c == "}" {
                    if depth == 0 { break }
                    depth -= 1
                } else if c == "|", depth == 0 {
                    options.append(choice)
                    choice = ""
                    continue
                }
                choice.append(c)
            }
            options.append(choice)
            return options
        }
    }
}
