"""The application layer: project store, importers, scenarios, jobs, CLI, maps and reports."""

__version__ = "0.1.0"
