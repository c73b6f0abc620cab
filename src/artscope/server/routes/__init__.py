"""The API's routes, one module per concept; each is a thin caller of a task's entry function."""
