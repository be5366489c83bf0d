import Foundation

/// The image bytes the simulated nodes produce. No image is ever computed: every preview
/// is the same small JPEG (a 64×64 frame recorded from the test node pack) and every
/// saved file the same 8×8 PNG. Clients only need bytes that decode.
enum SampleImages {
    /// A 64×64 baseline JPEG, 910 bytes.
    static let previewJPEG: [UInt8] = decode(
        """
        /9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoK
        CgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoK
        CgoKCgoKCgr/wAARCABAAEADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF
        BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW
        V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi
        4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC
        AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm
        Z2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq
        8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDuKKKK/wAvz/LMKKKKACiiigAooooAKK9V+JH7E37Tvwi8F3vxD+Ifwz/s/R9P8v7Zef21
        ZS+X5kixJ8kUzOcu6jgHGcnjJryqu/McqzTKK6o4+hOjNq6jOMoNq7V7SSdrpq+10+x6GY5TmmT11Rx9CdGbV1GcZQbV2rpSSdrp
        q+10+wUUUVwHnhRRRQAUUUUAeq/Ej9tn9p34u+C734efEP4mf2ho+oeX9ss/7FsovM8uRZU+eKFXGHRTwRnGDxkV5VRRXfmOa5pm
        9dVsfXnWmlZSnKU2ldu15Nu123ba7fc9DMc2zTOK6rY+vOtNKylOUptK7dk5Nu123ba7fcKKKK4DzwooooAKKKKACiiigAooooAK
        KKKACiiigD//2Q==
        """)

    /// An 8×8 RGB PNG, 74 bytes: what `GET /view` returns for any output file.
    static let outputPNG: [UInt8] = decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR42mPQqDiBFTEMLQkAAtVaAbl+5LMAAAAASUVORK5CYII=")

    private static func decode(_ base64: String) -> [UInt8] {
        guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else { preconditionFailure("bad embedded image") }
        return [UInt8](data)
    }
}
