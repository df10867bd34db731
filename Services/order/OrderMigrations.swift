import ServiceKit

/// The order database's schema: an append-only event store and the read model built from it.
enum OrderMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "event store and read model",
            statements: [
                """
                CREATE TABLE order_events (
                    stream_id uuid NOT NULL,
                    version integer NOT NULL CHECK (version > 0),
                    type text NOT NULL,
                    data jsonb NOT NULL,
                    occurred_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (stream_id, version)
                )
                """,
                """
                CREATE TABLE order_views (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled')),
                    items jsonb NOT NULL,
                    total_amount bigint NOT NULL,
                    total_currency text NOT NULL,
                    cancellation_reason text,
                    history jsonb NOT NULL DEFAULT '[]',
                    created_at timestamptz NOT NULL,
                    updated_at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX order_views_by_user ON order_views (user_id, created_at DESC, id)",
            ]
        )
    ]
}
