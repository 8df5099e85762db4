-- Consent withdrawn by the young person or the parents.
ALTER TABLE cases ADD COLUMN consent_withdrawn_at timestamptz;
