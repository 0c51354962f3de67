"""Monthly statements of called-party accounts (built by ``invoices`` from the ledger)."""
