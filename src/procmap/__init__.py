"""procmap: service-blueprint process modeling — validate, audit, render."""

__version__ = "0.1.0"
