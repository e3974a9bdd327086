"""Urgent updates, escalation policies and the escalation engine (DESIGN.md, issue 12)."""
