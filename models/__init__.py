"""Pure domain core: records, demand, coverage, accessibility, equity and siting.

Never imports Qt, never opens the project database, never prints.
"""
