// The `comfysh-bench` executable: main.swift only starts the root command, like
// Sources/comfysh/main.swift, so every benchmark lives in a file of its own.
import ArgumentParser

ComfyshBench.main()
