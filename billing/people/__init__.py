"""Incarcerated persons, their living units' calling schedules and their approved calling lists."""
