"""Helpers shared by the tests: builders of small projects, the headless browser, hostile names."""
