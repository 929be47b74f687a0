"""Features, one folder each: controllers, schemas, services."""
