-- 0004: values the bot keeps for itself (as sqlite/0004).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
