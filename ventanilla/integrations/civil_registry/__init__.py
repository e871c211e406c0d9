"""The civil registries (RENIEC for DNI, Migraciones for carnés de extranjería): `client` holds
what callers get (`Person`, the exceptions, the `CivilRegistryClient` interface); the client that
asks them through the information mediator is ventanilla/interop/services/civil_registry.py;
`fake_people` the made-up people the fake registries hold."""
