"""The civil registries (RENIEC for DNI, Migraciones for carnés de extranjería) through PIDE:
`client.civil_registry_client()` for callers, `fake` for the demo and the tests."""
