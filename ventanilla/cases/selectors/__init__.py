"""Reads on cases with their rules: the officials' inbox (inbox.py), the citizen's own
(citizen.py), the GovStack Registration API's (registration.py)."""
