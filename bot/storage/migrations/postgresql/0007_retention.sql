-- 0007 (as sqlite/0007): when a participant silent for RETENTION_MONTHS was told their data will be deleted
-- (NULL: never told, or they wrote since). Deleted a grace period after the notice.

ALTER TABLE users ADD COLUMN retention_notice_at BIGINT;
