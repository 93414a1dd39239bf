# Opened by tests/nvim/run.sh in a headless Neovim; the markers say what it must receive.
import numpy as np

LABEL = "naïve 🧮"


class Wrapper:
    def __init__(self, data):
        self.data = np.asarray(data)

    def __array__(self, dtype=None):  # error: AL101
        return self.data


class Fine:
    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.data, dtype=dtype, copy=copy)


def legacy(values):
    return ("🧮", np.array(values, copy=False))  # error: AL602
