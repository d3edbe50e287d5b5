-- 0003: counselor handoffs relayed through the outbox (as sqlite/0003).

ALTER TABLE outbox ADD COLUMN handoff_id BIGINT;
CREATE INDEX outbox_by_handoff ON outbox (handoff_id) WHERE handoff_id IS NOT NULL;
CREATE INDEX outbox_by_message ON outbox (chat_id, telegram_message_id)
    WHERE telegram_message_id IS NOT NULL;
