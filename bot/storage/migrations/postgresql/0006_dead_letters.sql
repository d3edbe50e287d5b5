-- 0006: updates the bot gave up on (as sqlite/0006): raw_json redacted of personal data.

CREATE TABLE dead_letters (
    update_id  BIGINT PRIMARY KEY,
    reason     TEXT NOT NULL,
    failures   INTEGER NOT NULL,
    raw_json   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
