"""Queries over the archive: one module behind the CLI, the API and the pages."""
