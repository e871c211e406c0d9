"""SMS: the Infobip SMS API v2 client (client.py) and the fake gateway (fake.py)."""
