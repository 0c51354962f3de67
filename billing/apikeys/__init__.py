"""API clients: keys stored hashed, each with one role."""
