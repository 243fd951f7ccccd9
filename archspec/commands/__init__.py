"""One module per CLI command group; each imports torch only inside its function."""
