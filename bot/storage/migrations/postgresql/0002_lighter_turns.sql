-- 0002: lighter turns (as sqlite/0002): the per-user check-in index without the status, and a
-- signature of the plan's milestones so a turn skips rewriting unchanged milestone rows.

DROP INDEX checkins_by_user;
CREATE INDEX checkins_by_user ON checkins (user_id);

ALTER TABLE users ADD COLUMN milestones_sig TEXT;
