-- test-only
SELECT 1;
