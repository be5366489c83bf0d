import CLibFuzzer

#if canImport(Glibc)
import Glibc
#endif

// libFuzzer's own command line (corpus directories, -max_total_time, -runs…), handed to
// its driver with `LLVMFuzzerTestOneInput` as the target (see CLibFuzzer.h for why the
// driver is called from here).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in LLVMFuzzerTestOneInput(data, size) })
