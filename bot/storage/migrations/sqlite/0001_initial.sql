-- 0001: users, answers history, plan milestones, update idempotence, outbox, check-ins,
-- handoffs and referral codes.
-- Instants are UTC epoch seconds (INTEGER); calendar dates are ISO 'YYYY-MM-DD' (TEXT).
-- (schema_version itself is created by bot/storage/sqlite.py before any migration runs.)

CREATE TABLE users (
    user_id          INTEGER PRIMARY KEY,
    chat_id          INTEGER NOT NULL,
    state_json       TEXT    NOT NULL,
    state_version    INTEGER NOT NULL,
    -- Copied from state_json on every commit, so figures and sweeps never parse JSON:
    phase            TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    pending          TEXT,
    pathway_id       TEXT,
    entry_step       INTEGER,
    referral         TEXT    NOT NULL DEFAULT '',
    cadence_days     INTEGER,
    milestones_total INTEGER NOT NULL DEFAULT 0,
    milestones_done  INTEGER NOT NULL DEFAULT 0,
    started_on       TEXT,
    plan_made_on     TEXT,
    last_seen        INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    inactive         INTEGER NOT NULL DEFAULT 0 CHECK (inactive IN (0, 1)),
    inactive_since   INTEGER
);

-- What each user typed or tapped, with the question that was open at the time.
CREATE TABLE answers (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    pending TEXT,
    text    TEXT    NOT NULL
);
CREATE INDEX answers_by_user ON answers (user_id, id);

-- The plan's milestones, one row each, rewritten with the state (for figures and export).
CREATE TABLE milestones (
    user_id      INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    milestone_id TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    step         INTEGER NOT NULL,
    target       TEXT    NOT NULL,
    done_on      TEXT,
    PRIMARY KEY (user_id, position)
) WITHOUT ROWID;
CREATE INDEX milestones_done_on ON milestones (done_on) WHERE done_on IS NOT NULL;

-- Telegram update ids already handled (a redelivered update is skipped); pruned after a day.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL
);
CREATE INDEX processed_updates_at ON processed_updates (at);

-- Every message to send, written in the same transaction as the state that produced it.
-- AUTOINCREMENT: ids never reused, so id order is commit order (per chat and overall).
CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER,            -- NULL: not about a stored user (counselor chat, goodbye)
    chat_id             INTEGER NOT NULL,
    payload_json        TEXT    NOT NULL,   -- Reply.to_dict()
    dedup_key           TEXT    NOT NULL UNIQUE,
    created_at          INTEGER NOT NULL,
    sent_at             INTEGER,
    telegram_message_id INTEGER,
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    dropped_at          INTEGER,            -- given up (user blocked the bot, or a permanent error)
    ephemeral           INTEGER NOT NULL DEFAULT 0 CHECK (ephemeral IN (0, 1))  -- delete once sent
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL AND dropped_at IS NULL;
CREATE INDEX outbox_by_user ON outbox (user_id);

-- Scheduled check-ins: at most one live ('pending' or 'claimed') per user.
CREATE TABLE checkins (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    due_at       INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    milestone_id TEXT,
    attempt      INTEGER NOT NULL DEFAULT 0,   -- unanswered prompts before this one
    status       TEXT    NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'claimed', 'done', 'cancelled')),
    created_at   INTEGER NOT NULL,
    claimed_at   INTEGER,
    claims       INTEGER NOT NULL DEFAULT 0,   -- more than 1: re-claimed after a crash
    done_at      INTEGER,
    answered_at  INTEGER                       -- the user wrote after the prompt went out
);
CREATE INDEX checkins_due ON checkins (due_at, id) WHERE status = 'pending';
CREATE INDEX checkins_claimed ON checkins (claimed_at) WHERE status = 'claimed';
CREATE UNIQUE INDEX checkins_one_live ON checkins (user_id) WHERE status IN ('pending', 'claimed');
CREATE INDEX checkins_by_user ON checkins (user_id, status);

-- Requests to talk to a person at the agency.
CREATE TABLE handoffs (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    summary    TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at INTEGER NOT NULL,
    closed_at  INTEGER
);
CREATE INDEX handoffs_by_user ON handoffs (user_id, status);

-- /start <code> links an agency hands out.
CREATE TABLE referral_codes (
    code       TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_by INTEGER,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
