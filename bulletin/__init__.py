"""Command-line entry point of the bulletin archive."""
