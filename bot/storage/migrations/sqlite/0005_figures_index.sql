-- 0005: covering indexes for the agency's figures and export, and which check-ins prompted.
-- Each users row sits beside its state JSON (a few KB), so a scan for /stats read the whole
-- table; these indexes answer /stats and /export on their own (about 10 MB per 100,000 users).
-- A check-in that ran but sent nothing (the user had just talked to the bot, or is done) has
-- prompted = 0, so "check-ins sent" counts only real prompts.

ALTER TABLE checkins ADD COLUMN prompted INTEGER NOT NULL DEFAULT 0 CHECK (prompted IN (0, 1));

CREATE INDEX users_figures ON users (user_id, inactive, status, phase, pathway_id, entry_step,
    referral, milestones_done, milestones_total, started_on, plan_made_on, last_seen);
CREATE INDEX checkins_prompts ON checkins (kind, done_at, answered_at)
    WHERE status = 'done' AND prompted = 1;
