"""Backup and restore: the database (pg_dump / SQLite's backup API), the uploads folder and a
manifest (schema revision, row counts, content hash, checksums) in one archive."""
