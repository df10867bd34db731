import ServiceKit

/// The user database's schema.
enum UserMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "profiles",
            statements: [
                """
                CREATE TABLE profiles (
                    id uuid PRIMARY KEY,
                    email text NOT NULL UNIQUE,
                    name text NOT NULL,
                    phone_ciphertext bytea,
                    addresses_ciphertext bytea,
                    key_id text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """
            ]
        ),
        Migration(
            version: 2,
            name: "profile listing order",
            statements: ["CREATE INDEX profiles_created_at_id ON profiles (created_at, id)"]
        ),
        Migration(
            version: 3,
            name: "event inbox and outbox",
            statements: [EventConsumer.inboxTableDefinition, OutboxRelay.tableDefinition, OutboxRelay.indexDefinition]
        ),
        Migration(
            version: 4,
            name: "outbox order per subject, purging sent events and inbox ids",
            statements: OutboxRelay.orderingIndexDefinitions + [EventConsumer.inboxRetentionIndexDefinition]
        ),
    ]
}
