-- Retention: when a closed case's personal data was removed.
ALTER TABLE cases ADD COLUMN anonymised_at timestamptz;
