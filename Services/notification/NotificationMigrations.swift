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
        )
    ]
}
