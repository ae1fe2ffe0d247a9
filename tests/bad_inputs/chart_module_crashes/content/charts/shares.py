import ctypes


def chart(data):
    return ctypes.string_at(0)
