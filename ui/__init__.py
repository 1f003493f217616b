"""The PyQt6 desktop shell: a thin layer over planner/."""
