"""Placeholder: figures and claims of this theme are filled by its issue."""
