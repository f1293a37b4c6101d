"""The contract's models: the case (input), its codes and reading, the outputs, errors, three-valued logic."""
