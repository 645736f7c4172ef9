"""Use cases. Imports only ``domain``; reaches the world through ``application.ports``."""
