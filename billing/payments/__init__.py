"""Payments with Stripe: deposits, invoice payments, refunds, disputes — each exactly once."""
