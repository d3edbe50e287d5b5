-- 0005: covering indexes for the figures, and which check-ins prompted (as sqlite/0005).

ALTER TABLE checkins ADD COLUMN prompted INTEGER NOT NULL DEFAULT 0 CHECK (prompted IN (0, 1));

CREATE INDEX users_figures ON users (user_id, inactive, status, phase, pathway_id, entry_step,
    referral, milestones_done, milestones_total, started_on, plan_made_on, last_seen);
CREATE INDEX checkins_prompts ON checkins (kind, done_at, answered_at)
    WHERE status = 'done' AND prompted = 1;
