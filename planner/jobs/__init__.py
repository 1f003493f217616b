"""Project-level jobs: read a project's layers, run a core model under a Control, store the run.

The CLI, the demo and the GUI all call these; none of them calls a solver directly.
"""
