"""Calls: authorize, announce (quote, accept, block), complete; incidents; hold expiry."""
