"""Tasks over the index; each independent of the others."""
