-- Test-only feature "notes", version 2.
CREATE INDEX IF NOT EXISTS test_notes_event_idx ON test_notes (event_id);
