"""E-mail: the SMTP client (client.py) and the fake relay with delivery webhooks (fake.py)."""
