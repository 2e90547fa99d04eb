"""Ticket routes, one module per resource: end_users, tickets, messages, public (token-keyed)."""
