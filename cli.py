"""Run archspec from a checkout without installing it: `python cli.py --help`."""

from archspec.cli import main

main()
