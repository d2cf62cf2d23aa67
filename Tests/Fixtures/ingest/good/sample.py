"""PYMODULE docstring."""


def py_add(a, b):
    """Return a + b."""
    return a + b


class PyCounter:
    def __init__(self):
        self.count = 0
    def bump(self):
        self.count += 1
        return self.count
