"""Text an XML 1.0 document can hold, shared by the BPMN and GraphML writers.

Its own module so that the writers need not import the package that dispatches
to them (that was an import cycle: ``interchange`` ↔ ``bpmn_out``).
"""

from __future__ import annotations

import re

# Characters XML 1.0 cannot carry even escaped (YAML can: "\x01", "\uFFFE").
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """``value`` as text an XML document can hold: impossible characters become U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(value))
