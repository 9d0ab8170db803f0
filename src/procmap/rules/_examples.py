"""Building blocks for the rules' failing/fixed examples in the docs."""

HEAD = """version: 1
process: {id: demo, name: Demo}
lanes:
  - {id: customer, name: Customer, kind: customer}
  - {id: agent, name: Agent, kind: onstage}
  - {id: clerk, name: Clerk, kind: backstage}
steps:
"""
