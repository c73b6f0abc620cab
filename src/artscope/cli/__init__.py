"""The artscope command line."""
