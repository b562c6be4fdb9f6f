"""The ``assay`` command line (typer)."""
