"""Database engine, tables and migrations."""
