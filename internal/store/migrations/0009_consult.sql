-- The consult's experts and date; the directory offers a table's offer
-- uses; the person who owns an agreement.
ALTER TABLE cases
    ADD COLUMN consult_experts text[] NOT NULL DEFAULT '{}',
    ADD COLUMN consult_date    date,
    ADD COLUMN offers_used     text[] NOT NULL DEFAULT '{}';
ALTER TABLE agreements ADD COLUMN person text NOT NULL DEFAULT '';
