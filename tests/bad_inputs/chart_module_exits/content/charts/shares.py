import os


def chart(data):
    os._exit(3)
