"""From a collection's published files to catalog rows and index points."""
