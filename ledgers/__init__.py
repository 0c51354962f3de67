"""The ledger: a double-entry, append-only journal with two-phase holds."""
