/// What the shell was started with.
struct ShellOptions: Sendable {
    var server: ServerOptions
    var demo = false
    var connect = false
    var noColor = false
}
