import ArgumentParser
import Shell

Comfysh.main()
