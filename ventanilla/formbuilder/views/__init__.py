"""The service designer's screens (/gestion/servicios/)."""
