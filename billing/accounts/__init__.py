"""Called-party accounts: prepaid or direct bill, the numbers they cover, and their ledger accounts."""
