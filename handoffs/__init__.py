"""Handoff notes, open items, acknowledgements and shift digests (DESIGN.md). The app is
registered so the layout is in place; its models, services and pages arrive with the
handoffs issue. It may depend on teams and oncall, never the reverse."""
