"""The process: pydantic models, durations, schema diagnostics, JSON Schema, the networkx graph."""
