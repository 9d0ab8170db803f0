"""Reading: YAML with positions, directory discovery, git revisions."""
