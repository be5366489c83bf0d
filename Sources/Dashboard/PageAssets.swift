/// The page's files (`Sources/Dashboard/Page`), embedded in the binary by SwiftPM at build
/// time (`.embedInCode` in Package.swift): the page is served with nothing beside the
/// binary, and what is served is always the file in the repository.
enum PageAssets {
    static let indexHTML = String(decoding: PackageResources.index_html, as: UTF8.self)
    static let dashboardCSS = String(decoding: PackageResources.dashboard_css, as: UTF8.self)
    static let dashboardJS = String(decoding: PackageResources.dashboard_js, as: UTF8.self)
}
