// libFuzzer's driver, as declared in compiler-rt's FuzzerInterface.h (LLVM 12 and later).
//
// SwiftPM gives an executable its own entry point (`<module>_main`, aliased to `main` at
// link time), so libFuzzer's `main` cannot be used: each fuzzer's main.swift calls this
// driver instead, with the same command line.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
