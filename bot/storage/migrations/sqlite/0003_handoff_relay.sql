-- 0003: counselor handoffs relayed through the outbox.
-- A message to a counselor chat names its handoff, so a counselor's reply to it (a Telegram
-- reply to that message) finds the participant; /forget deletes these rows with the user.

ALTER TABLE outbox ADD COLUMN handoff_id INTEGER;
CREATE INDEX outbox_by_handoff ON outbox (handoff_id) WHERE handoff_id IS NOT NULL;
CREATE INDEX outbox_by_message ON outbox (chat_id, telegram_message_id)
    WHERE telegram_message_id IS NOT NULL;
