import Foundation

/// Secrets never reach a terminal, a log, a page or a file: what may be shown of them.
public enum Redaction {
    /// `Authorization: Bearer abc` → `Authorization: ***`.
    public static func redactHeader(_ header: String) -> String {
        guard let colon = header.firstIndex(of: ":") else { return "***" }
        return header[...colon] + " ***"
    }

    /// The extra headers as they may be shown: `Authorization: ***, X-Api-Key: ***`, or `-`.
    public static func headerNames(_ headers: [(name: String, value: String)]) -> String {
        headers.isEmpty ? "-" : headers.map { "\($0.name): ***" }.joined(separator: ", ")
    }

    /// A line as it may be kept (shell history): a password in a URL (`http://me:pw@host`)
    /// and token-like query values (`?token=…`) become `***`.
    public static func redactLine(_ line: String) -> String {
        var text = line
        text = text.replacingOccurrences(
            of: #"(://[^/\s:@]*:)[^@\s/]+@"#, with: "$1***@", options: .regularExpression)
        text = text.replacingOccurrences(
            of: #"([?&](?:token|access_token|api_key|apikey|key|password|auth)=)[^&\s]+"#, with: "$1***",
            options: [.regularExpression, .caseInsensitive])
        return text
    }
}
