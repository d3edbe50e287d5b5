-- 0006: updates the bot gave up on (python-telegram-bot could not read them, or their turn
-- failed again and again), kept for a person to look at. raw_json is the update with every
-- text replaced by its length and every user or chat id by a keyed hash: no personal data.

CREATE TABLE dead_letters (
    update_id  INTEGER PRIMARY KEY,
    reason     TEXT NOT NULL,
    failures   INTEGER NOT NULL,
    raw_json   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
