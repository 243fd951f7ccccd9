"""One module per command group; cli.py imports a module only when its command runs."""
