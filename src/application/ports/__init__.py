"""Ports: one ``typing.Protocol`` per concern, implemented by ``adapters``."""
