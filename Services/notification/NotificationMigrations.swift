import ServiceKit

/// The notification database's schema.
enum NotificationMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "notifications",
            statements: [
                """
                CREATE TABLE notifications (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL,
                    event_id uuid NOT NULL,
                    type text NOT NULL,
                    subject text NOT NULL,
                    body text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    read_at timestamptz,
                    UNIQUE (event_id, user_id)
                )
                """,
                "CREATE INDEX notifications_by_user ON notifications (user_id, created_at DESC, id)",
            ]
        ),
        Migration(
            version: 2,
            name: "event inbox, webhooks and their deliveries",
            statements: [
                EventConsumer.inboxTableDefinition,
                """
                CREATE TABLE webhooks (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL,
                    url text NOT NULL,
                    secret text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX webhooks_by_user ON webhooks (user_id, created_at, id)",
                """
                CREATE TABLE webhook_deliveries (
                    id uuid PRIMARY KEY,
                    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
                    notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
                    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    last_status_code integer,
                    last_error text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    completed_at timestamptz,
                    UNIQUE (webhook_id, notification_id)
                )
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'",
                "CREATE INDEX webhook_deliveries_by_notification ON webhook_deliveries (notification_id)",
            ]
        ),
        Migration(
            version: 3,
            name: "purging inbox ids and finished webhook deliveries",
            statements: [
                EventConsumer.inboxRetentionIndexDefinition,
                "CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (completed_at) WHERE status <> 'pending'",
            ]
        ),
        Migration(
            version: 4,
            name: "webhook secrets encrypted at rest",
            statements: [
                // The secret moves to secret_ciphertext (FieldCipher, as payment's card numbers);
                // the plain column stays only for rows not sealed yet: WebhookSecretSealer seals
                // them at start-up, before the service serves.
                "ALTER TABLE webhooks ADD COLUMN secret_ciphertext bytea, ADD COLUMN secret_key_id text",
                "ALTER TABLE webhooks ALTER COLUMN secret DROP NOT NULL",
                """
                ALTER TABLE webhooks ADD CONSTRAINT webhooks_secret_stored
                    CHECK (secret_ciphertext IS NOT NULL OR secret IS NOT NULL)
                """,
                "CREATE INDEX webhooks_plaintext_secret ON webhooks (id) WHERE secret IS NOT NULL",
            ]
        ),
    ]
}
