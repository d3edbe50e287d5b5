-- 0004: values the bot keeps for itself, such as the key of the export's participant ids
-- (random, made on first use, so ids stay the same from one export to the next).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
