"""Writes on applications and cases: one module per sub-domain (submission, handling,
applications, documents, webhooks, export)."""
