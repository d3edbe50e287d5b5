-- 0002: lighter turns.
-- A check-in's status change no longer rewrites the per-user check-in index (it was on
-- (user_id, status)); and a signature of the plan's milestones lets a turn skip rewriting
-- milestone rows that did not change (most turns).

DROP INDEX checkins_by_user;
CREATE INDEX checkins_by_user ON checkins (user_id);

ALTER TABLE users ADD COLUMN milestones_sig TEXT;
