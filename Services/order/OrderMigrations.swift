import ServiceKit

/// The order database's schema: an append-only event store, the read model built from it,
/// the saga's schedule and the idempotency keys of `POST /v1/orders`.
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
        ),
        Migration(
            version: 2,
            name: "event times, rendered read model, saga schedule, idempotency keys",
            statements: [
                // Exact times (epoch milliseconds) so a rebuilt read model renders identically.
                "ALTER TABLE order_events ADD COLUMN occurred_at_ms bigint NOT NULL DEFAULT 0",
                // The event store is append-only.
                """
                CREATE FUNCTION order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'order_events is append-only';
                END
                $$
                """,
                """
                CREATE TRIGGER order_events_append_only BEFORE UPDATE OR DELETE ON order_events
                FOR EACH ROW EXECUTE FUNCTION order_events_append_only()
                """,
                // The read model is derived data: replaced by one that stores the rendered order.
                "DROP TABLE order_views",
                """
                CREATE TABLE order_views (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled')),
                    created_at_ms bigint NOT NULL,
                    version integer NOT NULL,
                    document jsonb NOT NULL
                )
                """,
                "CREATE INDEX order_views_by_user ON order_views (user_id, created_at_ms DESC, id DESC)",
                "CREATE INDEX order_views_by_time ON order_views (created_at_ms DESC, id DESC)",
                """
                CREATE TABLE saga_schedule (
                    order_id uuid PRIMARY KEY,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    failed_attempts integer NOT NULL DEFAULT 0,
                    last_error text
                )
                """,
                "CREATE INDEX saga_schedule_due ON saga_schedule (next_attempt_at)",
                """
                CREATE TABLE idempotency_keys (
                    user_id uuid NOT NULL,
                    key text NOT NULL,
                    fingerprint text NOT NULL,
                    order_id uuid NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (user_id, key)
                )
                """,
            ]
        ),
        Migration(
            version: 3,
            name: "outbox of integration events",
            statements: [OutboxRelay.tableDefinition, OutboxRelay.indexDefinition]
        ),
        Migration(
            version: 4,
            name: "payment processor failures counted apart from other retries",
            statements: ["ALTER TABLE saga_schedule ADD COLUMN processor_failures integer NOT NULL DEFAULT 0"]
        ),
        Migration(
            version: 5,
            name: "read model documents kept byte for byte as rendered",
            // jsonb re-formats on output; the API answers the compact, sorted rendering as text.
            statements: ["ALTER TABLE order_views ALTER COLUMN document TYPE text USING document::text"]
        ),
        Migration(
            version: 6,
            name: "outbox order per subject, purging sent events and old idempotency keys",
            statements: OutboxRelay.orderingIndexDefinitions + ["CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)"]
        ),
        Migration(
            version: 7,
            name: "sagas are leased, not locked, while their step calls out",
            statements: ["ALTER TABLE saga_schedule ADD COLUMN lease_id uuid", "ALTER TABLE saga_schedule ADD COLUMN leased_by text"]
        ),
    ]
}
