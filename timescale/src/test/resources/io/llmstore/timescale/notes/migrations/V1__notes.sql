-- Test-only feature "notes", version 1: notes on usage rows. The view reads llm_usage_metrics, so this script fails
-- unless the usage feature was migrated before it.
CREATE TABLE IF NOT EXISTS test_notes (
    event_id UUID NOT NULL,
    note     TEXT NOT NULL
);

CREATE VIEW test_notes_by_model AS
SELECT u.model_id, count(n.note) AS notes
FROM llm_usage_metrics u JOIN test_notes n ON n.event_id = u.event_id
GROUP BY u.model_id;
