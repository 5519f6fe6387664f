"""Guanxi (关系): a key-account lifecycle CRM."""

__version__ = "0.1.0"
