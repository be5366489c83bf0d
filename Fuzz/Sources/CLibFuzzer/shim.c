// Empty: the module is only CLibFuzzer.h's declaration (the definition is in
// libclang_rt.fuzzer, linked by `-sanitize=fuzzer`).
