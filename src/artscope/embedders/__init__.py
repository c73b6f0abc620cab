"""Embedders: one protocol, one registry; backends by spec string."""
