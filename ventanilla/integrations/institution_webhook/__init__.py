"""An institution's own system, told of case events by a signed HTTP POST (webhook).
client.py sends and signs; fake.py is a receiver in its own process for the tests and the demo."""
