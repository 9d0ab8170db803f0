"""Writers of findings, audits and diffs: text, Markdown, JSON, HTML, SARIF."""
