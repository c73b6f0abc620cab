"""Trainable heads over stored embeddings (they never load a backbone)."""
