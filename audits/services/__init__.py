"""Writes for audits, split by the part of the work they serve. Every state change goes
through a named, guarded transition here (STYLE.md 1 and 3)."""
