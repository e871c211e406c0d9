"""One package per external system: a client the rest of Ventanilla calls, and a fake that
speaks the same protocol as its own process. Integrations import no other Ventanilla app."""
