"""Facilities, their tariffs, the cached rate catalog, quotes and the public rate disclosure."""
