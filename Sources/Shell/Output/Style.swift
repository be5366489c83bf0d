import Foundation
import ComfyCore

/// Colours, only on an interactive terminal and never when `NO_COLOR` is set or
/// `--no-color` was given (https://no-color.org).
struct Style: Sendable {
    let enabled: Bool

    static func decide(interactive: Bool, noColorFlag: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Style {
        Style(enabled: interactive && !noColorFlag && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb")
    }

    private func paint(_ code: String, _ text: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func green(_ s: String) -> String { paint("32", s) }
    func yellow(_ s: String) -> String { paint("33", s) }
    func red(_ s: String) -> String { paint("31", s) }
    func dim(_ s: String) -> String { paint("2", s) }
    func bold(_ s: String) -> String { paint("1", s) }

    /// A diff line in words (`DiffLine.readable`), coloured by its kind.
    func diff(_ line: DiffLine, width: Int = 120) -> String {
        let text = line.readable(width: width)
        switch line.kind {
        case .added: return green(text)
        case .removed: return red(text)
        case .changed: return yellow(text)
        }
    }
}
