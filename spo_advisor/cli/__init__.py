"""The command line: one module per command group, the shared --out writer, batch."""
