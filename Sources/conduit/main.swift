import ConduitCLI

ConduitCommand.main()
