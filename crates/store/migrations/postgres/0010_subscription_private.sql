-- 0010_subscription_private: the address guard for alert deliveries
-- (issue #25).
--
-- Webhook and e-mail deliveries pass the same address guard as sources
-- (cw_fetch's SSRF guard): a target on a loopback, private, link-local or
-- other non-public address is refused at subscribe time and again at every
-- delivery (after DNS resolution, which may change), unless the
-- subscription was made with `subscribe --allow-private`. The opt-in is a
-- property of the subscription, like a source's `track --allow-private`,
-- so it is stored with it. Existing subscriptions get 0: a webhook on a
-- private address made before this migration stops receiving alerts until
-- it is subscribed again with --allow-private, which is the point.
ALTER TABLE watch_subscriptions
    ADD COLUMN allow_private BIGINT NOT NULL DEFAULT 0 CHECK (allow_private IN (0, 1));
