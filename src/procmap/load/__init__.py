"""Reading: YAML with positions, directory discovery, git revisions."""

# Here, not in loader.py, so that configuration and `--help` know the limit without importing PyYAML.
DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024
